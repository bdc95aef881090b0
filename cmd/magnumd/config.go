package main

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"gopkg.in/yaml.v3"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/magnum"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// errConfig is wrapped by every configuration error.
var errConfig = errors.New("magnumd: configuration")

// Config is magnumd's configuration file; defaults.yaml documents every key.
type Config struct {
	Listen    string `yaml:"listen"`
	PublicURL string `yaml:"public_url"`
	TLS       struct {
		CertFile string `yaml:"cert_file"`
		KeyFile  string `yaml:"key_file"`
	} `yaml:"tls"`
	HTTP struct {
		ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
		ReadTimeout       time.Duration `yaml:"read_timeout"`
		WriteTimeout      time.Duration `yaml:"write_timeout"`
		IdleTimeout       time.Duration `yaml:"idle_timeout"`
		MaxConnections    int           `yaml:"max_connections"`
	} `yaml:"http"`
	Log struct {
		Format string `yaml:"format"`
		Level  string `yaml:"level"`
		Reads  string `yaml:"reads"`
	} `yaml:"log"`
	Host     string `yaml:"host"`
	Database struct {
		DataDir string `yaml:"data_dir"`
		DSN     string `yaml:"dsn"`
	} `yaml:"database"`
	Orchestrator struct {
		Type     string `yaml:"type"`
		Embedded struct {
			MaxResourcesPerStack int `yaml:"max_resources_per_stack"`
		} `yaml:"embedded"`
		Heat struct {
			NoAuthEndpoint string        `yaml:"noauth_endpoint"`
			Auth           OpenStackAuth `yaml:"auth"`
		} `yaml:"heat"`
	} `yaml:"orchestrator"`
	Cloud struct {
		Type              string        `yaml:"type"`
		CatalogFile       string        `yaml:"catalog_file"`
		Auth              OpenStackAuth `yaml:"auth"`
		TrusteeDomainID   string        `yaml:"trustee_domain_id"`
		TrusteeDomainName string        `yaml:"trustee_domain_name"`
	} `yaml:"cloud"`
	Drivers struct {
		Dir       string            `yaml:"dir"`
		Checksums map[string]string `yaml:"checksums"`
		Disabled  []string          `yaml:"disabled"`
		Default   []string          `yaml:"default"`
		InProcess bool              `yaml:"in_process"`
	} `yaml:"drivers"`
	Intervals struct {
		Sync            time.Duration `yaml:"sync"`
		Health          time.Duration `yaml:"health"`
		Heartbeat       time.Duration `yaml:"heartbeat"`
		Progress        time.Duration `yaml:"progress"`
		ServiceDownTime time.Duration `yaml:"service_down_time"`
	} `yaml:"intervals"`
	Policy struct {
		Rules string `yaml:"rules"`
	} `yaml:"policy"`
	Quotas struct {
		MaxClustersPerProject int `yaml:"max_clusters_per_project"`
	} `yaml:"quotas"`
	Limits struct {
		MaxNodesPerNodeGroup int `yaml:"max_nodes_per_nodegroup"`
		MaxNodesPerCluster   int `yaml:"max_nodes_per_cluster"`
	} `yaml:"limits"`
	API struct {
		MaxLimit               int    `yaml:"max_limit"`
		HealthcheckDisableFile string `yaml:"healthcheck_disable_file"`
		ViewCacheMB            int    `yaml:"view_cache_mb"`
	} `yaml:"api"`
	Certificates struct {
		Store    string   `yaml:"store"`
		KeyType  string   `yaml:"key_type"`
		Dir      string   `yaml:"dir"`
		Keys     []string `yaml:"keys"`
		Barbican struct {
			NoAuthEndpoint string        `yaml:"noauth_endpoint"`
			Project        string        `yaml:"project"`
			Auth           OpenStackAuth `yaml:"auth"`
		} `yaml:"barbican"`
	} `yaml:"certificates"`
	Auth struct {
		Mode   string `yaml:"mode"`
		NoAuth struct {
			Default     Identity            `yaml:"default"`
			Tokens      map[string]Identity `yaml:"tokens"`
			AllowRemote bool                `yaml:"allow_remote"`
		} `yaml:"noauth"`
		Keystone struct {
			Auth     OpenStackAuth `yaml:"auth"`
			CacheTTL time.Duration `yaml:"cache_ttl"`
		} `yaml:"keystone"`
	} `yaml:"auth"`
	Metrics struct {
		Enabled bool   `yaml:"enabled"`
		Listen  string `yaml:"listen"`
	} `yaml:"metrics"`
	UI struct {
		Enabled bool `yaml:"enabled"`
	} `yaml:"ui"`
}

// OpenStackAuth are Keystone v3 credentials: a password or an application
// credential.
type OpenStackAuth struct {
	AuthURL                     string `yaml:"auth_url"`
	Region                      string `yaml:"region"`
	Username                    string `yaml:"username"`
	UserID                      string `yaml:"user_id"`
	Password                    string `yaml:"password"`
	UserDomainName              string `yaml:"user_domain_name"`
	UserDomainID                string `yaml:"user_domain_id"`
	ProjectName                 string `yaml:"project_name"`
	ProjectID                   string `yaml:"project_id"`
	ProjectDomainName           string `yaml:"project_domain_name"`
	ProjectDomainID             string `yaml:"project_domain_id"`
	ApplicationCredentialID     string `yaml:"application_credential_id"`
	ApplicationCredentialSecret string `yaml:"application_credential_secret"`
}

// Identity is a caller of the noauth mode.
type Identity struct {
	UserID      string   `yaml:"user_id"`
	UserName    string   `yaml:"user_name"`
	ProjectID   string   `yaml:"project_id"`
	ProjectName string   `yaml:"project_name"`
	DomainID    string   `yaml:"domain_id"`
	DomainName  string   `yaml:"domain_name"`
	Roles       []string `yaml:"roles"`
}

// caller is the identity as the service knows it.
func (i Identity) caller() magnum.Caller {
	return magnum.Caller{UserID: i.UserID, UserName: i.UserName, ProjectID: i.ProjectID, ProjectName: i.ProjectName,
		DomainID: i.DomainID, DomainName: i.DomainName, Roles: i.Roles}
}

// set reports whether any credential is given.
func (a OpenStackAuth) set() bool { return a.AuthURL != "" }

// options are the credentials as gophercloud takes them.
func (a OpenStackAuth) options() gophercloud.AuthOptions {
	return gophercloud.AuthOptions{
		IdentityEndpoint: a.AuthURL, Username: a.Username, UserID: a.UserID, Password: a.Password,
		DomainName: a.UserDomainName, DomainID: a.UserDomainID,
		ApplicationCredentialID: a.ApplicationCredentialID, ApplicationCredentialSecret: a.ApplicationCredentialSecret,
		Scope: a.scope(), AllowReauth: true,
	}
}

func (a OpenStackAuth) scope() *gophercloud.AuthScope {
	if a.ProjectName == "" && a.ProjectID == "" {
		return nil
	}
	return &gophercloud.AuthScope{ProjectName: a.ProjectName, ProjectID: a.ProjectID,
		DomainName: a.ProjectDomainName, DomainID: a.ProjectDomainID}
}

// LoadConfig returns the embedded defaults overridden by the file at path
// (none when path is empty). Unknown keys are errors.
func LoadConfig(path string) (*Config, error) {
	var c Config
	if err := decodeYAML(bytes.NewReader(defaultsYAML), &c); err != nil {
		return nil, fmt.Errorf("%w: embedded defaults: %w", errConfig, err)
	}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errConfig, err)
		}
		defer f.Close()
		if err := decodeYAML(f, &c); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", errConfig, path, err)
		}
	}
	return &c, c.validate()
}

func decodeYAML(r io.Reader, c *Config) error {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// validate checks the choices and their required settings.
func (c *Config) validate() error {
	checks := []struct {
		bad bool
		msg string
	}{
		{c.Listen == "", "listen is empty"},
		{(c.TLS.CertFile == "") != (c.TLS.KeyFile == ""), "tls needs both cert_file and key_file"},
		{c.HTTP.ReadHeaderTimeout <= 0 || c.HTTP.ReadTimeout <= 0 || c.HTTP.WriteTimeout <= 0 || c.HTTP.IdleTimeout <= 0,
			"http timeouts must be positive"},
		{c.HTTP.ReadHeaderTimeout > c.HTTP.ReadTimeout, "http.read_header_timeout must not exceed http.read_timeout"},
		{c.HTTP.MaxConnections <= 0, "http.max_connections must be positive"},
		{!slices.Contains([]string{"text", "json"}, c.Log.Format), "log.format must be text or json"},
		{!slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level), "log.level must be debug, info, warn or error"},
		{!slices.Contains([]string{"embedded", "heat"}, c.Orchestrator.Type), "orchestrator.type must be embedded or heat"},
		{c.Orchestrator.Type == "heat" && c.Orchestrator.Heat.NoAuthEndpoint == "" && !c.Orchestrator.Heat.Auth.set(),
			"orchestrator.heat needs noauth_endpoint or auth"},
		{!slices.Contains([]string{"simulated", "openstack"}, c.Cloud.Type), "cloud.type must be simulated or openstack"},
		{c.Cloud.Type == "openstack" && !c.Cloud.Auth.set(), "cloud.auth is required with cloud.type openstack"},
		{c.Cloud.Type == "openstack" && c.Orchestrator.Type == "embedded",
			"the embedded orchestrator builds in the simulated cloud: use orchestrator.type heat with cloud.type openstack"},
		{!slices.Contains([]string{"database", "dir", "barbican"}, c.Certificates.Store), "certificates.store must be database, dir or barbican"},
		{c.Certificates.Store == "dir" && c.Certificates.Dir == "", "certificates.dir is required with store dir"},
		{c.Certificates.Store == "barbican" && c.Certificates.Barbican.NoAuthEndpoint == "" && !c.Certificates.Barbican.Auth.set(),
			"certificates.barbican needs noauth_endpoint or auth"},
		{!slices.Contains([]string{"noauth", "keystone"}, c.Auth.Mode), "auth.mode must be noauth or keystone"},
		{c.Cloud.Type == "openstack" && c.Auth.Mode == "noauth",
			"auth.mode noauth cannot build clusters on a real cloud: each cluster acts through a Keystone trust " +
				"from the user who asks for it, and noauth has no user token to create the trust with; " +
				"use auth.mode keystone with cloud.type openstack"},
		{c.Auth.Mode == "keystone" && !c.Auth.Keystone.Auth.set(), "auth.keystone.auth is required with auth.mode keystone"},
		{c.Intervals.Sync <= 0 || c.Intervals.Health <= 0 || c.Intervals.Heartbeat <= 0 || c.Intervals.Progress <= 0 ||
			c.Intervals.ServiceDownTime <= 0, "intervals must be positive"},
		{!slices.Contains([]string{"default", "legacy"}, c.Policy.Rules), "policy.rules must be default or legacy"},
		{c.Quotas.MaxClustersPerProject < 0, "quotas.max_clusters_per_project must not be negative"},
		{c.Limits.MaxNodesPerNodeGroup < 1 || c.Limits.MaxNodesPerCluster < 1, "limits must be positive"},
		{c.Orchestrator.Embedded.MaxResourcesPerStack < 1, "orchestrator.embedded.max_resources_per_stack must be positive"},
		{c.API.MaxLimit <= 0, "api.max_limit must be positive"},
		{c.API.ViewCacheMB < 0, "api.view_cache_mb must not be negative"},
		{!slices.Contains([]string{"debug", "info"}, c.Log.Reads), "log.reads must be debug or info"},
		{keyTypes[c.Certificates.KeyType] == nil, "certificates.key_type must be rsa-2048 or ecdsa-p256"},
	}
	for _, ch := range checks {
		if ch.bad {
			return fmt.Errorf("%w: %s", errConfig, ch.msg)
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("%w: public_url %q is not an absolute URL", errConfig, c.PublicURL)
		}
	}
	return nil
}

// keyTypes are the values of certificates.key_type.
var keyTypes = map[string]certs.Option{
	"rsa-2048":   certs.WithKeyType(certs.RSA2048),
	"ecdsa-p256": certs.WithKeyType(certs.ECDSAP256),
}

// dataDir is the directory of the embedded database.
func (c *Config) dataDir() (string, error) {
	if c.Database.DataDir != "" {
		return c.Database.DataDir, nil
	}
	state := os.Getenv("XDG_STATE_HOME")
	if state == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("%w: database.data_dir is empty and there is no home directory: %w", errConfig, err)
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "gomagnum"), nil
}

// publicURL is the API's URL as nodes reach it.
func (c *Config) publicURL(addr string) string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	scheme := "http"
	if c.TLS.CertFile != "" {
		scheme = "https"
	}
	return scheme + "://" + addr + "/v1"
}

// readLogLevel is the level of the access-log lines of successful reads.
func (c *Config) readLogLevel() slog.Level {
	if c.Log.Reads == "info" {
		return slog.LevelInfo
	}
	return slog.LevelDebug
}
