package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math/big"
	"mime"
	"path/filepath"
	"reflect"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// The software configuration types: SoftwareConfig, StructuredConfig,
// CloudConfig and MultipartMime. Their configs live in the engine's
// config store, as Heat keeps them in its software_config table.

func init() {
	for _, k := range []*kind{softwareConfigKind, structuredConfigKind, cloudConfigKind, multipartKind} {
		k.restore = restoreConfig
		k.unload = func(e *Engine, r *resource) { e.configs.remove(r.rec.PhysicalID) }
		register(k)
	}
}

// softwareConfig is a stored config.
type softwareConfig struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Group   string         `json:"group"`
	Config  any            `json:"config"`
	Options map[string]any `json:"options,omitempty"`
	Inputs  []any          `json:"inputs,omitempty"`
	Outputs []any          `json:"outputs,omitempty"`
	// Sources are the texts a MultipartMime was assembled from, before
	// any base64 encoding.
	Sources []string `json:"sources,omitempty"`
}

// configStore holds the software configs by ID.
type configStore struct {
	mu sync.RWMutex
	m  map[string]softwareConfig
}

func newConfigStore() *configStore { return &configStore{m: map[string]softwareConfig{}} }

func (c *configStore) put(sc softwareConfig) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[sc.ID] = sc
}

func (c *configStore) get(id string) (softwareConfig, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	sc, ok := c.m[id]
	return sc, ok
}

func (c *configStore) remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// searchTexts returns what a guest given ref as user data would see:
// the config's text and, for a multipart config, its parts' texts.
func (c *configStore) searchTexts(ref string) []string {
	sc, _ := c.get(ref)
	return append([]string{c.content(ref)}, sc.Sources...)
}

// content returns the text of a config when ref is a config ID, and ref
// itself otherwise (Heat's user_data and MIME parts accept both).
func (c *configStore) content(ref string) string {
	if sc, ok := c.get(ref); ok {
		if s, isStr := sc.Config.(string); isStr {
			return s
		}
		js, _ := hot.PyJSON(sc.Config)
		return js
	}
	return ref
}

var ioSchemas = map[string]*prop{
	"inputs": p(tList).items(p(tMap).of(map[string]*prop{
		"name": p(tString).req(), "description": p(tString), "label": p(tString),
		"type":              p(tString).dflt("String").allowed("String", "Number", "CommaDelimitedList", "Json", "Boolean"),
		"default":           p(tAny),
		"replace_on_change": p(tBoolean).dflt(false),
	})),
	"outputs": p(tList).items(p(tMap).of(map[string]*prop{
		"name": p(tString).req(), "description": p(tString),
		"type":         p(tString).dflt("String").allowed("String", "Number", "CommaDelimitedList", "Json", "Boolean"),
		"error_output": p(tBoolean).dflt(false),
	})),
}

func configSchema(configType string) schema {
	return schema{
		"group":   p(tString).dflt("Heat::Ungrouped"),
		"config":  p(configType),
		"options": p(tMap),
		"inputs":  ioSchemas["inputs"],
		"outputs": ioSchemas["outputs"],
	}
}

// storeConfig stores a config and makes its ID the physical ID.
func storeConfig(o *op, config any, sources ...string) {
	opts, _ := o.props["options"].(map[string]any)
	group, _ := o.props["group"].(string)
	if group == "" {
		group = "Heat::Ungrouped"
	}
	sc := softwareConfig{ID: newUUID(), Name: o.physicalName(), Group: group, Config: config,
		Options: opts, Inputs: o.list("inputs"), Outputs: o.list("outputs"), Sources: sources}
	o.e.configs.put(sc)
	if !reflect.DeepEqual(config, o.props["config"]) {
		o.setData("config", config) // not kept by the properties
	}
	o.setLocalID(sc.ID)
}

// restoreConfig puts a stored config back in the store after a restart:
// the config is the data storeConfig kept, or the config property.
func restoreConfig(e *Engine, r *resource) {
	if r.rec.PhysicalID == "" {
		return
	}
	config, kept := r.rec.Data["config"]
	if !kept {
		config = r.rec.Props["config"]
	}
	group, _ := r.rec.Props["group"].(string)
	e.configs.put(softwareConfig{ID: r.rec.PhysicalID, Group: group, Config: config,
		Inputs: asList(r.rec.Props["inputs"]), Outputs: asList(r.rec.Props["outputs"])})
}

func deleteConfig(_ context.Context, o *op) error {
	o.e.configs.remove(o.r.rec.PhysicalID)
	return nil
}

func configAttr(r *resource, _ string, path []any) (any, error) {
	sc, ok := r.s.e.configs.get(r.rec.PhysicalID)
	if !ok {
		return nil, nil
	}
	return hot.SelectPath(sc.Config, path), nil
}

var softwareConfigKind = &kind{
	name: "OS::Heat::SoftwareConfig", class: "SoftwareConfig", attrs: []string{"config"},
	props:  configSchema(tString),
	create: func(_ context.Context, o *op) error { storeConfig(o, o.str("config")); return nil },
	delete: deleteConfig, attr: configAttr,
}

var structuredConfigKind = &kind{
	name: "OS::Heat::StructuredConfig", class: "StructuredConfig", attrs: []string{"config"},
	props: configSchema(tMap),
	create: func(_ context.Context, o *op) error {
		cfg, _ := o.props["config"].(map[string]any)
		storeConfig(o, cfg)
		return nil
	},
	delete: deleteConfig, attr: configAttr,
}

var cloudConfigKind = &kind{
	name: "OS::Heat::CloudConfig", class: "CloudConfig", attrs: []string{"config"},
	props: schema{"cloud_config": p(tMap)},
	create: func(_ context.Context, o *op) error {
		text, err := yamlDump(o.props["cloud_config"])
		if err != nil {
			return err
		}
		storeConfig(o, "#cloud-config\n"+text)
		return nil
	},
	delete: deleteConfig, attr: configAttr,
}

// yamlDump writes YAML in block style with two-space indents, sorted
// keys, as PyYAML's safe_dump does.
func yamlDump(v any) (string, error) {
	if v == nil {
		return "{}\n", nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return b.String(), enc.Close()
}

var multipartKind = &kind{
	name: "OS::Heat::MultipartMime", class: "MultipartMime", attrs: []string{"config"},
	props: schema{
		"group": p(tString).dflt("Heat::Ungrouped"),
		"parts": p(tList).dflt([]any{}).items(p(tMap).of(map[string]*prop{
			"config":   p(tString).req(),
			"filename": p(tString),
			"type":     p(tString).dflt("text").allowed("text", "multipart"),
			"subtype":  p(tString),
		})),
	},
	create: func(_ context.Context, o *op) error {
		msg, sources := o.e.mimeMessage(o.list("parts"))
		storeConfig(o, msg, sources...)
		return nil
	},
	delete: deleteConfig, attr: configAttr,
}

// mimeMessage builds the multipart/mixed message of MultipartMime the way
// Python's email package writes it, and returns the texts of its parts.
func (e *Engine) mimeMessage(parts []any) (string, []string) {
	var sources []string
	boundary := mimeBoundary()
	var b strings.Builder
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\nMIME-Version: 1.0\n", boundary)
	for _, raw := range parts {
		m, _ := raw.(map[string]any)
		config, _ := m["config"].(string)
		content := e.configs.content(config)
		sources = append(sources, strings.Join(e.configs.searchTexts(config), "\n"))
		if typ, _ := m["type"].(string); typ == "multipart" {
			for _, sub := range subParts(content) {
				writePart(&b, boundary, sub.body, sub.subtype, sub.filename)
			}
			continue
		}
		filename, _ := m["filename"].(string)
		subtype, _ := m["subtype"].(string)
		if subtype == "" && filename != "" {
			subtype = strings.TrimSuffix(filename, filepath.Ext(filename))
		}
		writePart(&b, boundary, content, subtype, filename)
	}
	fmt.Fprintf(&b, "\n--%s--\n", boundary)
	return b.String(), sources
}

func mimeBoundary() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1e18))
	return fmt.Sprintf("===============%019d==", n)
}

func writePart(b *strings.Builder, boundary, body, subtype, filename string) {
	if subtype == "" {
		subtype = "plain"
	}
	charset, enc := "us-ascii", "7bit"
	for _, r := range body {
		if r > 127 {
			charset, enc = "utf-8", "base64"
			break
		}
	}
	fmt.Fprintf(b, "\n--%s\nContent-Type: text/%s; charset=\"%s\"\nMIME-Version: 1.0\nContent-Transfer-Encoding: %s\n", boundary, subtype, charset, enc)
	if filename != "" {
		fmt.Fprintf(b, "Content-Disposition: attachment; filename=\"%s\"\n", filename)
	}
	if enc == "base64" {
		body = base64.StdEncoding.EncodeToString([]byte(body))
	}
	b.WriteString("\n" + body)
}

type mimePart struct{ body, subtype, filename string }

// subParts splits an existing multipart message into its parts.
func subParts(msg string) []mimePart {
	_, params, err := mime.ParseMediaType(headerValue(msg, "Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil
	}
	var out []mimePart
	chunks := strings.Split(msg, "--"+params["boundary"])
	for _, c := range chunks[1:] {
		if strings.HasPrefix(c, "--") {
			break
		}
		head, body, _ := strings.Cut(strings.TrimPrefix(c, "\n"), "\n\n")
		ct := headerValue(head, "Content-Type")
		subtype := strings.TrimPrefix(strings.SplitN(ct, ";", 2)[0], "text/")
		_, cd, _ := mime.ParseMediaType(headerValue(head, "Content-Disposition"))
		out = append(out, mimePart{body: body, subtype: subtype, filename: cd["filename"]})
	}
	return out
}

func headerValue(text, name string) string {
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
