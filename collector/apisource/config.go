package apisource

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"golang.org/x/time/rate"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

// Config is the block every API source kind embeds in its own configuration with
// `yaml:",inline"`, so that its keys sit next to the kind's. Zero values take the kind's Defaults.
type Config struct {
	// URL is the API's base URL: https://api.github.com, https://github.example.com/api/v3 for
	// GitHub Enterprise Server, https://gitlab.example.com/api/v4 for a self-managed GitLab.
	// Credentials never go in it: it may have no user information and no query.
	URL string `yaml:"url"`
	// HTTPClientConfig is how the API is called: authorization (a token), basic_auth, oauth2,
	// http_headers (an API key header, from a file), tls_config, proxy_url ... (prometheus/common's
	// client configuration). Relative *_file paths resolve against the configuration's folder.
	HTTPClientConfig config.HTTPClientConfig `yaml:"http_client_config"`
	// RateLimit is the client-side limit on requests, below the server's own.
	RateLimit RateLimit `yaml:"rate_limit"`
	// PageSize is the number of items asked for per page, at most the kind's maximum.
	PageSize int `yaml:"page_size"`
	// MaxRequestsPerSync caps the requests of one sync; a sync reaching it returns what it has
	// and the next one, which starts at once, resumes from there.
	MaxRequestsPerSync int `yaml:"max_requests_per_sync"`
	// Overlap is how far before the watermark each sync lists again, for updates the API makes
	// visible late; items seen already (same id, same update time) are not fetched again.
	Overlap model.Duration `yaml:"overlap"`
	// ReconcileInterval is how often the ids of the whole scope are listed, to drop tickets
	// deleted or moved out of it; 0s never reconciles. Default 24h.
	ReconcileInterval *model.Duration `yaml:"reconcile_interval"`
	// RequestTimeout bounds each request, the body read included.
	RequestTimeout model.Duration `yaml:"request_timeout"`
}

// RateLimit is a token bucket: Requests per Per, with bursts of Burst.
type RateLimit struct {
	Requests float64        `yaml:"requests"`
	Per      model.Duration `yaml:"per"`
	Burst    int            `yaml:"burst"`
}

// Defaults are a kind's values for what its Config leaves unset, and its limits.
type Defaults struct {
	// URL is the base URL of the vendor's hosted service ("" when there is none: then url is
	// required).
	URL string
	// PageSize is the default page size and MaxPageSize the most the API accepts.
	PageSize, MaxPageSize int
	// RateLimit is the default client-side limit.
	RateLimit RateLimit
	// MaxRequestsPerSync, Overlap, Reconcile and RequestTimeout default the keys of the same
	// names.
	MaxRequestsPerSync int
	Overlap            time.Duration
	Reconcile          time.Duration
	RequestTimeout     time.Duration
	// Credentials is the setting a refused request's error points to when none is configured:
	// "http_client_config.authorization (type Bearer, credentials_file: a token file)".
	Credentials string
}

// Settings are a Config checked, defaults applied.
type Settings struct {
	// Kind and Name name the source in errors: `github source "support"`.
	Kind, Name string
	// Base is the base URL, with a trailing slash so that endpoints resolve under it.
	Base *url.URL
	// Client is http_client_config, relative files resolved.
	Client config.HTTPClientConfig
	// Limit and Burst are the client-side limiter's.
	Limit rate.Limit
	Burst int
	// PageSize is the page size to ask for; MaxRequests the cap per sync.
	PageSize, MaxRequests int
	// Overlap, Reconcile (0: never) and RequestTimeout are the durations of the same keys.
	Overlap, Reconcile, RequestTimeout time.Duration
	// credentials is the setting 401 and 403 errors point to.
	credentials string
}

// maxOverlap bounds overlap: every sync lists that much again.
const maxOverlap = 7 * 24 * time.Hour

// Compile checks cfg, decoded from node (the kind's block), and applies d. Its errors read
// "line N: key: message", N counted in node's document, as collector.DecodeStrict's do.
func Compile(node *yaml.Node, cfg *Config, d Defaults, kind string, opts collector.Options) (*Settings, error) {
	s := &Settings{Kind: kind, Name: opts.Name}
	u, err := BaseURL(node, []string{"url"}, cmp.Or(cfg.URL, d.URL), "the API's base URL")
	if err != nil {
		return nil, err
	}
	s.Base = u

	hc, err := HTTPClientConfig(node, []string{"http_client_config"}, cfg.HTTPClientConfig, opts.Dir)
	if err != nil {
		return nil, err
	}
	s.Client = hc
	s.credentials = credentialSetting(&hc, d.Credentials)

	rl := cfg.RateLimit
	if rl == (RateLimit{}) {
		rl = d.RateLimit
	}
	if s.Limit, s.Burst, err = compileRate(node, []string{"rate_limit"}, rl); err != nil {
		return nil, err
	}

	s.PageSize = cmp.Or(cfg.PageSize, d.PageSize)
	if s.PageSize < 1 || (d.MaxPageSize > 0 && s.PageSize > d.MaxPageSize) {
		return nil, Fail(node, []string{"page_size"}, "%d is not between 1 and %d, the most the API returns per page", s.PageSize, d.MaxPageSize)
	}
	s.MaxRequests = cmp.Or(cfg.MaxRequestsPerSync, d.MaxRequestsPerSync)
	if s.MaxRequests < 2 {
		return nil, Fail(node, []string{"max_requests_per_sync"}, "%d is too few: a sync needs a listing and a request per changed ticket", s.MaxRequests)
	}
	s.Overlap = cmp.Or(time.Duration(cfg.Overlap), d.Overlap)
	if s.Overlap > maxOverlap {
		return nil, Fail(node, []string{"overlap"}, "%s is longer than %s: every sync would list that much again", model.Duration(s.Overlap), model.Duration(maxOverlap))
	}
	s.Reconcile = d.Reconcile
	if cfg.ReconcileInterval != nil {
		s.Reconcile = time.Duration(*cfg.ReconcileInterval)
		if s.Reconcile != 0 && s.Reconcile < time.Hour {
			return nil, Fail(node, []string{"reconcile_interval"}, "%s is shorter than 1h: each reconciliation lists every ticket id in scope (0s turns it off)", *cfg.ReconcileInterval)
		}
	}
	s.RequestTimeout = cmp.Or(time.Duration(cfg.RequestTimeout), d.RequestTimeout, 30*time.Second)
	return s, nil
}

// Display is the base URL as messages show it.
func (s *Settings) Display() string { return Redacted(s.Base) }

// BaseURL checks the base URL of a service at path in node (a kind's block): http or https,
// with a host, and without user information, query or fragment, so that credentials can only
// be in http_client_config. The URL returned has a trailing slash, so that endpoints resolve
// under it. what names the URL in the error when it is missing ("the API's base URL").
func BaseURL(node *yaml.Node, path []string, raw, what string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, Fail(node, path, "is required (%s)", what)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "":
		// The parse error would quote the URL: say only where it is.
		return nil, Fail(node, path, "not an http:// or https:// URL with a host")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, Fail(node, path, "has user information, a query or a fragment: credentials go in http_client_config, and the base URL is only scheme://host/path")
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u, nil
}

// HTTPClientConfig checks an http_client_config block at path in node (a kind's block) and
// returns it with its relative file names resolved against dir: prometheus/common's own
// validation, no secret references (sla_exporter has no secret manager), and no credential
// written in plain http_headers values.
func HTTPClientConfig(node *yaml.Node, path []string, hc config.HTTPClientConfig, dir string) (config.HTTPClientConfig, error) {
	at := func(keys ...string) []string { return append(slices.Clone(path), keys...) }
	hc.SetDirectory(dir)
	if hc.OAuth2 != nil { // OAuth2.SetDirectory forgets this one
		hc.OAuth2.ClientCertificateKeyFile = config.JoinDir(dir, hc.OAuth2.ClientCertificateKeyFile)
	}
	if err := hc.Validate(); err != nil {
		return hc, Fail(node, path, "%v", err)
	}
	if ref := SecretRef(&hc); ref != nil {
		return hc, Fail(node, at(ref...), "secret references need a secret manager, which sla_exporter has not: use the _file form")
	}
	if h := hc.HTTPHeaders; h != nil {
		for _, name := range slices.Sorted(maps.Keys(h.Headers)) {
			if len(h.Headers[name].Values) > 0 && isCredentialHeader(name) {
				return hc, Fail(node, at("http_headers", name, "values"),
					"a credential in plain values shows wherever the configuration is printed: use secrets, or better files")
			}
		}
	}
	return hc, nil
}

// credentialSetting names the credential setting of hc that a refused request points to, or
// the kind's suggestion when none is configured.
func credentialSetting(hc *config.HTTPClientConfig, suggestion string) string {
	switch {
	case hc.Authorization != nil:
		return "http_client_config.authorization"
	case hc.BasicAuth != nil:
		return "http_client_config.basic_auth"
	case hc.OAuth2 != nil:
		return "http_client_config.oauth2"
	case hc.BearerToken != "" || hc.BearerTokenFile != "":
		return "http_client_config.bearer_token"
	case hc.HTTPHeaders != nil && len(hc.HTTPHeaders.Headers) > 0:
		names := make([]string, 0, len(hc.HTTPHeaders.Headers))
		for n := range hc.HTTPHeaders.Headers {
			names = append(names, n)
		}
		slices.Sort(names)
		return "http_client_config.http_headers (" + strings.Join(names, ", ") + ")"
	}
	if suggestion == "" {
		return "http_client_config: no credentials are configured"
	}
	return "http_client_config: no credentials are configured; set " + suggestion
}

// SecretRef returns the key path of a *_ref secret reference in hc, or nil: sources refuse
// them, since prometheus/common resolves them only through a secret manager they do not have.
func SecretRef(hc *config.HTTPClientConfig) []string {
	type ref struct {
		set  bool
		path []string
	}
	tls := func(prefix []string, t *config.TLSConfig) []ref {
		at := func(k string) []string { return append(slices.Clone(prefix), "tls_config", k) }
		return []ref{{t.CARef != "", at("ca_ref")}, {t.CertRef != "", at("cert_ref")}, {t.KeyRef != "", at("key_ref")}}
	}
	refs := tls(nil, &hc.TLSConfig)
	if b := hc.BasicAuth; b != nil {
		refs = append(refs, ref{b.UsernameRef != "", []string{"basic_auth", "username_ref"}}, ref{b.PasswordRef != "", []string{"basic_auth", "password_ref"}})
	}
	if a := hc.Authorization; a != nil {
		refs = append(refs, ref{a.CredentialsRef != "", []string{"authorization", "credentials_ref"}})
	}
	if o := hc.OAuth2; o != nil {
		refs = append(refs, ref{o.ClientSecretRef != "", []string{"oauth2", "client_secret_ref"}},
			ref{o.ClientCertificateKeyRef != "", []string{"oauth2", "client_certificate_key_ref"}})
		refs = append(refs, tls([]string{"oauth2"}, &o.TLSConfig)...)
	}
	for _, r := range refs {
		if r.set {
			return r.path
		}
	}
	return nil
}

// isCredentialHeader says whether a header of http_headers carries a credential by its name, so
// that its value must not be written in plain `values` (which any print of the configuration
// shows): use secrets or files.
func isCredentialHeader(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "token") || strings.Contains(n, "key") || strings.Contains(n, "auth") || strings.Contains(n, "secret")
}

// ConfigError is a configuration error at a line of the block, worded like
// collector.DecodeStrict's: "line N: key: message".
type ConfigError struct {
	Line  int
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return fmt.Sprintf("line %d: %s: %v", e.Line, e.Field, e.Err) }

func (e *ConfigError) Unwrap() error { return e.Err }

// Fail returns a ConfigError for the key at path in node (the kind's block); when the key is
// absent, the line is that of the deepest enclosing key that exists.
func Fail(node *yaml.Node, path []string, format string, args ...any) error {
	keys := make([]any, len(path))
	for i, k := range path {
		keys[i] = k
	}
	return &ConfigError{Line: collector.LineOf(node, keys...), Field: strings.Join(path, "."), Err: fmt.Errorf(format, args...)}
}
