package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/vincent-petithory/dataurl"
)

// The guest stand-in. Nova's fake virt driver boots nothing, so the tests
// do for each server what its guest's boot script would do to report
// back, and nothing else: read the server's user data from Nova (as an
// admin, with the microversion that shows it), find the command the boot
// script runs to signal the node's wait condition (Heat's curl_cli, which
// the drivers put in the node's environment as WAIT_CURL), and send the
// signal the script sends when the node has joined its cluster. Heat then
// decides when the stack is complete.

// guests signals the wait conditions of the mini OpenStack's servers as
// their guests would, until the test ends.
type guests struct {
	mc     *miniCloud
	mu     sync.Mutex
	done   map[string]bool   // servers booted
	agents map[string]*agent // their agents, by server ID
	errs   []string
}

// startGuests starts the stand-in for every server of the cloud.
func startGuests(t *testing.T, mc *miniCloud) *guests {
	g := &guests{mc: mc, done: map[string]bool{}, agents: map[string]*agent{}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			g.pass(ctx)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		for _, e := range g.errors() {
			t.Log("guest stand-in: " + e)
		}
	})
	return g
}

func (g *guests) errors() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.errs...)
}

func (g *guests) fail(format string, args ...any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.errs) < 50 {
		g.errs = append(g.errs, fmt.Sprintf(format, args...))
	}
}

// novaServer is a server with its user data (microversion 2.3).
type novaServer struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Status   string `json:"status"`
	UserData string `json:"OS-EXT-SRV-ATTR:user_data"`
}

// pass boots the ACTIVE servers not booted yet.
func (g *guests) pass(ctx context.Context) {
	sc := *g.mc.compute
	sc.Microversion = "2.3"
	pages, err := servers.List(&sc, servers.ListOpts{AllTenants: true}).AllPages(ctx)
	if err != nil {
		g.fail("listing servers: %v", err)
		return
	}
	var list []novaServer
	if err := servers.ExtractServersInto(pages, &list); err != nil {
		g.fail("reading servers: %v", err)
		return
	}
	for _, s := range list {
		g.mu.Lock()
		seen := g.done[s.ID]
		g.mu.Unlock()
		if seen || s.Status != "ACTIVE" || s.UserData == "" {
			continue
		}
		a, err := boot(ctx, s)
		if err != nil {
			g.fail("server %s (%s): %v", s.Name, s.ID, err)
		}
		g.mu.Lock()
		g.done[s.ID] = true
		if a != nil {
			g.agents[s.ID] = a
		}
		g.mu.Unlock()
	}
	g.mu.Lock()
	agents := make(map[string]*agent, len(g.agents))
	for id, a := range g.agents {
		if slices.ContainsFunc(list, func(s novaServer) bool { return s.ID == id }) {
			agents[id] = a
		} else {
			delete(g.agents, id)
		}
	}
	g.mu.Unlock()
	for id, a := range agents {
		if err := a.poll(ctx); err != nil {
			g.fail("agent of server %s: %v", id, err)
		}
	}
}

// boot does what a node's boot script does at its end: signal the wait
// condition with SUCCESS. It returns the node's agent, which applies the
// software deployments Heat hands the node later, if the node has one. A
// server whose user data has no wait condition (an Octavia amphora) is
// left alone.
func boot(ctx context.Context, s novaServer) (*agent, error) {
	texts, err := userDataTexts(s.UserData)
	if err != nil {
		return nil, err
	}
	curl := waitCurl(texts)
	if curl == "" {
		return nil, nil
	}
	body := map[string]string{"status": "SUCCESS", "reason": s.Name + " joined the cluster", "data": s.Name}
	if err := signal(ctx, curl, body); err != nil {
		return nil, err
	}
	return newAgent(texts), nil
}

var waitCurlLine = regexp.MustCompile(`(?m)WAIT_CURL=(curl [^\n]*)`)

// waitCurl finds the node's WAIT_CURL value in its boot data: a systemd
// drop-in's Environment="WAIT_CURL=..." (Ignition) or a WAIT_CURL=... line
// (cloud-config).
func waitCurl(texts []string) string {
	for _, t := range texts {
		if m := waitCurlLine.FindStringSubmatch(t); m != nil {
			return strings.TrimSuffix(strings.TrimSpace(m[1]), `"`)
		}
	}
	return ""
}

// userDataTexts decodes Nova's user data (base64) into the texts a guest
// would read: an Ignition config's file contents and units, or a MIME
// multipart's parts, or the text itself.
func userDataTexts(b64 string) ([]string, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("user data is not base64: %w", err)
	}
	if zr, err := gzip.NewReader(bytes.NewReader(raw)); err == nil {
		if raw, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("gzipped user data: %w", err)
		}
	}
	var ign map[string]any
	if json.Unmarshal(raw, &ign) == nil && ign["ignition"] != nil {
		return ignitionTexts(ign), nil
	}
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		if texts, err := mimeTexts(msg.Header.Get("Content-Type"), msg.Body); err == nil {
			return texts, nil
		}
	}
	return []string{string(raw)}, nil
}

// ignitionTexts returns every string of an Ignition config, data URLs
// decoded (and gunzipped).
func ignitionTexts(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			out = append(out, ignitionTexts(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, ignitionTexts(e)...)
		}
	case string:
		out = append(out, x)
		if strings.HasPrefix(x, "data:") {
			if du, err := dataurl.DecodeString(x); err == nil {
				data := du.Data
				if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
					if d, err := io.ReadAll(zr); err == nil {
						data = d
					}
				}
				out = append(out, string(data))
			}
		}
	}
	return out
}

// mimeTexts returns the parts of a MIME multipart body, decoded.
func mimeTexts(contentType string, body io.Reader) ([]string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		b, _ := io.ReadAll(body)
		return []string{string(b)}, err
	}
	mr := multipart.NewReader(body, params["boundary"])
	var out []string
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var r io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return out, err
		}
		out = append(out, string(b))
	}
}

// signal runs a curl_cli command line as the boot script does: a POST of
// body to its URL with its headers. Only loopback URLs are followed (the
// network rule: the mini OpenStack's Heat is on 127.0.0.1).
func signal(ctx context.Context, curl string, body any) error {
	words, err := shellWords(curl)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "", nil)
	if err != nil {
		return err
	}
	for i := 1; i < len(words); i++ {
		switch w := words[i]; {
		case w == "-H" && i+1 < len(words):
			k, v, _ := strings.Cut(words[i+1], ":")
			req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
			i++
		case w == "-X" && i+1 < len(words):
			req.Method = words[i+1]
			i++
		case strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://"):
			if req.URL, err = url.Parse(w); err != nil {
				return err
			}
		}
	}
	if req.URL == nil || (req.URL.Hostname() != "127.0.0.1" && req.URL.Hostname() != "localhost") {
		return fmt.Errorf("not signalling %q: not a loopback URL", curl)
	}
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.ContentLength = int64(len(data))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("signal answered %s: %s", resp.Status, b)
	}
	return nil
}

// shellWords splits a command line as a POSIX shell would, for the
// quoting curl_cli uses (single and double quotes, no expansions).
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unbalanced %c in %q", c, s)
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
