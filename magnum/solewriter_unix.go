//go:build unix

package magnum

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// soleLock is the lock file of a SQLite database: a shared flock held
// while the instance runs, and a counter of the instances that opened the
// database, mapped in memory so that reading it costs no system call.
type soleLock struct {
	f   *os.File
	mem []byte
}

// openSoleWriter takes the lock beside the SQLite database at path and
// counts this instance in.
func openSoleWriter(path string) (*soleWriter, error) {
	// Instances count themselves in one at a time (a gate file held
	// exclusively meanwhile): an instance that finds itself alone has
	// counted itself in before another can look, and so sees the other
	// count itself in after it.
	gate, err := os.OpenFile(path+".gate", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("magnum: database lock: %w", err)
	}
	defer gate.Close() // which gives the gate up
	if err := syscall.Flock(int(gate.Fd()), syscall.LOCK_EX); err != nil {
		return nil, fmt.Errorf("magnum: database lock %s: %w", gate.Name(), err)
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("magnum: database lock: %w", err)
	}
	w, err := lockAndCount(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("magnum: database lock %s: %w", f.Name(), err)
	}
	return w, nil
}

func lockAndCount(f *os.File) (*soleWriter, error) {
	fd := int(f.Fd())
	// Alone if no other instance holds the lock; then shared, so that
	// the next instance sees this one (a conversion, which is not atomic;
	// but no other instance joins meanwhile: see openSoleWriter).
	alone := true
	if err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, err
		}
		alone = false
	}
	if err := syscall.Flock(fd, syscall.LOCK_SH); err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() < 8 {
		if err := f.Truncate(8); err != nil {
			return nil, err
		}
	}
	mem, err := syscall.Mmap(fd, 0, 8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	l := soleLock{f: f, mem: mem}
	return &soleWriter{lock: l, mine: atomic.AddUint64(l.counter(), 1), alone: alone}, nil
}

// counter is the count of instances in the mapped file, which every
// instance changes atomically (the mapping is page-aligned).
func (l soleLock) counter() *uint64 { return (*uint64)(unsafe.Pointer(&l.mem[0])) }

func (l soleLock) count() uint64 { return atomic.LoadUint64(l.counter()) }

func (l soleLock) close() error {
	return errors.Join(syscall.Munmap(l.mem), l.f.Close())
}
