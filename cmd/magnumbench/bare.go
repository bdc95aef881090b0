package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// serveBare is the bare handler's process: it answers every request with
// the bytes of the file at path, as a JSON API would, and prints its
// address.
func serveBare(path string) error {
	body, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	length := strconv.Itoa(len(body))
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		w.Write(body) //nolint:errcheck // a benchmark
	}))
}

// bare is a running bare handler.
type bare struct {
	cmd *exec.Cmd
	url string
}

// startBare runs this program as a bare handler serving the file at path.
func startBare(ctx context.Context, path string) (*bare, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-serve-bare", path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("bare handler: %w", err)
	}
	return &bare{cmd: cmd, url: "http://" + strings.TrimSpace(addr)}, nil
}

func (b *bare) stop() {
	_ = b.cmd.Process.Kill()
	_ = b.cmd.Wait()
}
