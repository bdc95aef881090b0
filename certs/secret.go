package certs

import (
	"errors"
	"fmt"
	"log/slog"
)

// SecretPEM is a PEM private key handed to the service for its own use. It
// never prints, logs or marshals: fmt and slog show "[redacted]", and JSON,
// text and YAML marshalling fail, so a key cannot slip into a REST body or a
// log line by accident. Convert it explicitly ([]byte(k)) where the key is
// really needed, e.g. to build a TLS client or a Heat parameter.
type SecretPEM []byte

const redacted = "[redacted]"

// errSecretMarshal is returned by the marshal methods of SecretPEM.
var errSecretMarshal = errors.New("certs: refusing to marshal a private key")

// String returns "[redacted]".
func (SecretPEM) String() string { return redacted }

// GoString returns "[redacted]".
func (SecretPEM) GoString() string { return redacted }

// Format prints "[redacted]" whatever the verb.
func (SecretPEM) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue shows "[redacted]" in slog records.
func (SecretPEM) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON always fails.
func (SecretPEM) MarshalJSON() ([]byte, error) { return nil, errSecretMarshal }

// MarshalText always fails (it covers encoding/xml and map keys).
func (SecretPEM) MarshalText() ([]byte, error) { return nil, errSecretMarshal }

// MarshalYAML always fails (gopkg.in/yaml.v3).
func (SecretPEM) MarshalYAML() (any, error) { return nil, errSecretMarshal }
