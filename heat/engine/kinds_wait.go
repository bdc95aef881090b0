package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// OS::Heat::WaitConditionHandle and OS::Heat::WaitCondition. A handle
// gets a token; a simulated server whose user data carries the token
// signals the handle when its guest finishes booting.

func init() { register(waitHandleKind, waitConditionKind) }

// SignalURL is the base of the signal URLs handles advertise.
const SignalURL = "http://127.0.0.1:8004/v1"

// signalBoard maps handle tokens to handles and wakes waiting conditions.
type signalBoard struct {
	mu      sync.Mutex
	handles map[string]*resource
	wake    chan struct{}
}

func newSignalBoard() *signalBoard {
	return &signalBoard{handles: map[string]*resource{}, wake: make(chan struct{})}
}

func (b *signalBoard) register(token string, r *resource) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handles[token] = r
}

func (b *signalBoard) unregister(token string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.handles, token)
}

// changed returns a channel closed at the next signal.
func (b *signalBoard) changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.wake
}

func (b *signalBoard) notify() {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.wake)
	b.wake = make(chan struct{})
}

// tokenLen is the length of a handle's token: 16 random bytes in hex.
const tokenLen = 32

// tokensIn returns the registered tokens found in texts. It looks up
// every token-shaped window of the texts' runs of hex digits, so its cost
// grows with the texts, not with the number of handles.
func (b *signalBoard) tokensIn(texts ...string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, text := range texts {
		out = b.appendTokens(out, text)
	}
	return out
}

// appendTokens appends the tokens of text not in out yet; b.mu must be
// held.
func (b *signalBoard) appendTokens(out []string, text string) []string {
	for i := 0; i < len(text); {
		if !isHex(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isHex(text[j]) {
			j++
		}
		for k := i; k+tokenLen <= j; k++ {
			if t := text[k : k+tokenLen]; b.handles[t] != nil && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
		i = j
	}
	return out
}

func isHex(c byte) bool { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') }

// signal records a signal on the handle owning token.
func (e *Engine) signal(token, id, status, reason string) {
	e.signals.mu.Lock()
	h := e.signals.handles[token]
	e.signals.mu.Unlock()
	if h == nil {
		return
	}
	h.s.mu.Lock()
	sigs, _ := h.rec.Data["signals"].(map[string]any)
	if sigs == nil {
		sigs = map[string]any{}
	}
	sig := map[string]any{"status": status, "reason": reason, "data": nil}
	if reflect.DeepEqual(sigs[id], sig) {
		h.s.mu.Unlock()
		return // a watch started again when the tree was read back
	}
	sigs[id] = sig
	h.rec.Data["signals"] = sigs
	e.saveResource(h.s, h, false)
	h.s.mu.Unlock()
	e.signals.notify()
}

var waitHandleKind = &kind{
	name: "OS::Heat::WaitConditionHandle", class: "HeatWaitConditionHandle",
	attrs: []string{"token", "endpoint", "curl_cli", "signal"},
	props: schema{"signal_transport": p(tString).dflt("TOKEN_SIGNAL").allowed(
		"CFN_SIGNAL", "TEMP_URL_SIGNAL", "HEAT_SIGNAL", "NO_SIGNAL", "ZAQAR_SIGNAL", "TOKEN_SIGNAL")},
	create: createHandle,
	delete: func(_ context.Context, o *op) error {
		if t, ok := o.data("token").(string); ok {
			o.e.signals.unregister(t)
		}
		return nil
	},
	attr: handleAttr,
	restore: func(e *Engine, r *resource) {
		if t, ok := r.rec.Data["token"].(string); ok {
			e.signals.register(t, r)
		}
	},
	unload: func(e *Engine, r *resource) {
		if t, ok := r.rec.Data["token"].(string); ok {
			e.signals.unregister(t)
		}
	},
}

func createHandle(_ context.Context, o *op) error {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	o.setData("signals", map[string]any{})
	if o.str("signal_transport") == "TOKEN_SIGNAL" {
		o.setData("token", token)
		o.setData("endpoint", fmt.Sprintf("%s/%s/stacks/%s/%s/resources/%s/signal",
			SignalURL, o.s.rec.Project, o.s.rec.Name, o.s.rec.ID, o.r.rec.Name))
		o.e.signals.register(token, o.r)
	}
	o.setLocalID(newUUID())
	return nil
}

func handleAttr(r *resource, name string, path []any) (any, error) {
	if r.rec.PhysicalID == "" {
		return nil, nil
	}
	token, _ := r.rec.Data["token"].(string)
	endpoint, _ := r.rec.Data["endpoint"].(string)
	var v any
	switch name {
	case "token", "endpoint":
		v = r.rec.Data[name]
	case "curl_cli":
		if token != "" {
			v = "curl -i -X POST -H 'X-Auth-Token: " + token + "' -H 'Content-Type: application/json' " +
				"-H 'Accept: application/json' " + endpoint
		}
	case "signal":
		js, _ := hot.PyJSON(map[string]any{"alarm_url": endpoint, "token": token})
		v = js
	}
	return hot.SelectPath(v, path), nil
}

var waitConditionKind = &kind{
	name: "OS::Heat::WaitCondition", class: "HeatWaitCondition", attrs: []string{"data"},
	props: schema{
		"handle":  p(tString).req(),
		"timeout": p(tNumber).req().between(1, 43200),
		"count":   p(tInteger).dflt(1).between(1, nil).upd(),
	},
	create: waitForSignals, update: waitForSignals,
	attr: waitData,
}

// handleOf finds the handle a wait condition refers to by its reference.
func handleOf(s *stack, ref string) *resource {
	for _, r := range s.resources {
		if r.kind == waitHandleKind && r.rec.PhysicalID != "" && r.rec.PhysicalID == ref {
			return r
		}
	}
	return nil
}

func signalsOf(h *resource) map[string]any {
	m, _ := h.rec.Data["signals"].(map[string]any)
	return m
}

func waitForSignals(ctx context.Context, o *op) error {
	o.s.mu.Lock()
	h := handleOf(o.s, o.str("handle"))
	o.s.mu.Unlock()
	if h == nil {
		return fail("ValueError", o.str("handle")+" is not a valid wait condition handle.")
	}
	o.release()
	timeout := time.NewTimer(time.Duration(o.num("timeout") * float64(time.Second)))
	defer timeout.Stop()
	count := intOf(o.props["count"])
	for {
		wake := o.e.signals.changed()
		done, err := checkSignals(o.s, h, count)
		if done || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout.C:
			o.s.mu.Lock()
			defer o.s.mu.Unlock()
			return timeoutError(signalsOf(h), count)
		case <-wake:
		}
	}
}

// checkSignals reports whether count success signals arrived, or the
// failure one did.
func checkSignals(s *stack, h *resource, count int) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sigs := signalsOf(h)
	var failures []string
	for _, k := range sortedKeys(sigs) {
		sig, _ := sigs[k].(map[string]any)
		if sig["status"] != "SUCCESS" {
			failures = append(failures, hot.PyStr(sig["reason"]))
		}
	}
	if len(failures) > 0 {
		return true, fail("WaitConditionFailure", strings.Join(failures, ";"))
	}
	return len(sigs) >= count, nil
}

func timeoutError(sigs map[string]any, count int) error {
	var reasons []string
	for _, k := range sortedKeys(sigs) {
		sig, _ := sigs[k].(map[string]any)
		reasons = append(reasons, hot.PyStr(sig["reason"]))
	}
	msg := fmt.Sprintf("%d of %d received", len(reasons), count)
	if len(reasons) > 0 {
		msg += " - " + strings.Join(reasons, ";")
	}
	return fail("WaitConditionTimeout", msg)
}

func waitData(r *resource, _ string, path []any) (any, error) {
	h := handleOf(r.s, hot.PyStr(r.rec.Props["handle"]))
	if h == nil {
		return "", nil
	}
	out := map[string]any{}
	for k, v := range signalsOf(h) {
		sig, _ := v.(map[string]any)
		out[k] = sig["data"]
	}
	js, _ := hot.PyJSON(out)
	return hot.SelectPath(js, path), nil
}
