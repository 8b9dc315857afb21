package probe

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Kind is the probe source kind, for the table of kinds in collector/sources.
var Kind = collector.Kind{New: newKind, Probes: true, Live: true}

// Defaults of a target's schedule.
const (
	DefaultInterval = 30 * time.Second
	DefaultTimeout  = 10 * time.Second
)

// Config is the `probe:` block of a source. docs/configuration.md documents each key; keep the
// two in step.
type Config struct {
	// Targets are the probed targets, each feeding a series of its own.
	Targets []TargetConfig `yaml:"targets"`
}

// Timing is the keys every probed target has, of this kind and of blackbox.
type Timing struct {
	// Series is the name objectives give as `series:`, unique in the source.
	Series string `yaml:"series"`
	// Interval is the time between probes (default 30s); Timeout bounds each probe (default
	// 10s or the interval when shorter), at most the interval.
	Interval model.Duration `yaml:"interval"`
	Timeout  model.Duration `yaml:"timeout"`
}

// TargetConfig is one target: its schedule and exactly one of the probes.
type TargetConfig struct {
	Timing `yaml:",inline"`
	HTTP   *HTTPConfig `yaml:"http"`
	TCP    *TCPConfig  `yaml:"tcp"`
	DNS    *DNSConfig  `yaml:"dns"`
	ICMP   *ICMPConfig `yaml:"icmp"`
}

// HTTPConfig is an HTTP(S) probe: it succeeds when the answer's status is valid and its body
// matches body_regex.
type HTTPConfig struct {
	// URL is what is requested.
	URL string `yaml:"url"`
	// Method is the request's method (default GET).
	Method string `yaml:"method"`
	// ValidStatusCodes are the statuses that succeed (default any 2xx).
	ValidStatusCodes []int `yaml:"valid_status_codes"`
	// BodyRegex, when set, must match the body (its first MiB) for success.
	BodyRegex string `yaml:"body_regex"`
	// HTTPClientConfig is prometheus/common's client configuration: tls_config (certificate
	// verification, a CA, a client certificate), authorization, basic_auth, http_headers,
	// proxy_url, follow_redirects (default true) ...
	HTTPClientConfig *config.HTTPClientConfig `yaml:"http_client_config"`
}

// TCPConfig is a TCP connect probe, optionally with a TLS handshake.
type TCPConfig struct {
	// Address is host:port.
	Address string `yaml:"address"`
	// TLS does a TLS handshake after connecting (certificate verified per tls_config), which
	// gives the certificate's expiry.
	TLS       bool             `yaml:"tls"`
	TLSConfig config.TLSConfig `yaml:"tls_config"`
}

// DNSConfig is a DNS probe: it succeeds when server answers the query for name without error
// and with at least one record of record_type.
type DNSConfig struct {
	Name string `yaml:"name"`
	// Server is the DNS server asked, host or host:port (port 53 by default).
	Server string `yaml:"server"`
	// RecordType is A (default), AAAA, CNAME, MX, NS, PTR, SOA, SRV or TXT.
	RecordType string `yaml:"record_type"`
}

// ICMPConfig is an ICMP echo (ping) probe. The process needs unprivileged ping sockets (its
// group within sysctl net.ipv4.ping_group_range) or the capability CAP_NET_RAW.
type ICMPConfig struct {
	// Host is an address or a name; a name is resolved at each probe, IPv4 first.
	Host string `yaml:"host"`
}

// newKind decodes a `probe:` block and builds its source.
func newKind(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	var cfg Config
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, apisource.ScrubConfigError(node, err)
	}
	src, err := build(node, cfg, opts)
	if err != nil {
		return nil, apisource.ScrubConfigError(node, err)
	}
	return src, nil
}

// New builds the source of cfg, for callers that build their configuration in Go; errors name
// the keys with line 0. Nothing runs before the first Sync.
func New(cfg Config, opts collector.Options) (*Source, error) { return build(nil, cfg, opts) }

func build(node *yaml.Node, cfg Config, opts collector.Options) (*Source, error) {
	if len(cfg.Targets) == 0 {
		return nil, Fail(node, []any{"targets"}, "is required: at least one target")
	}
	seen := map[string]int{}
	targets := make([]Target, 0, len(cfg.Targets))
	for i, tc := range cfg.Targets {
		at := []any{"targets", i}
		t, err := tc.Timing.Compile(node, at, seen)
		if err != nil {
			return nil, err
		}
		var kinds []string
		for _, k := range []struct {
			set  bool
			name string
		}{{tc.HTTP != nil, "http"}, {tc.TCP != nil, "tcp"}, {tc.DNS != nil, "dns"}, {tc.ICMP != nil, "icmp"}} {
			if k.set {
				kinds = append(kinds, k.name)
			}
		}
		switch {
		case len(kinds) == 0:
			return nil, Fail(node, at, "has no probe: set one of http, tcp, dns, icmp")
		case len(kinds) > 1:
			return nil, Fail(node, append(at, kinds[1]), "a target has one probe, and this one has %s: make a target of each", strings.Join(kinds, " and "))
		}
		t.Prober = kinds[0]
		switch {
		case tc.HTTP != nil:
			err = compileHTTP(node, append(at, "http"), tc.HTTP, opts, &t)
		case tc.TCP != nil:
			err = compileTCP(node, append(at, "tcp"), tc.TCP, opts, &t)
		case tc.DNS != nil:
			err = compileDNS(node, append(at, "dns"), tc.DNS, &t)
		case tc.ICMP != nil:
			err = compileICMP(node, append(at, "icmp"), tc.ICMP, &t)
		}
		if err != nil {
			return nil, err
		}
		targets = append(targets, t)
	}
	return NewSource(targets, opts, nil), nil
}

// Compile checks a target's schedule keys at path in node (the kind's block) and returns the
// target with Series, Interval and Timeout set. seen holds the series of the targets before,
// with their index.
func (tm Timing) Compile(node *yaml.Node, path []any, seen map[string]int) (Target, error) {
	t := Target{Series: tm.Series, Interval: time.Duration(tm.Interval), Timeout: time.Duration(tm.Timeout)}
	at := func(k string) []any { return append(append([]any{}, path...), k) }
	if strings.TrimSpace(t.Series) == "" {
		return t, Fail(node, at("series"), "is required: the name objectives give as series")
	}
	if t.Series != strings.TrimSpace(t.Series) {
		return t, Fail(node, at("series"), "%q has leading or trailing spaces", t.Series)
	}
	if j, dup := seen[t.Series]; dup {
		return t, Fail(node, at("series"), "%q is also the series of targets[%d]: each target feeds a series of its own", t.Series, j)
	}
	seen[t.Series] = len(seen)
	if tm.Interval == 0 {
		t.Interval = DefaultInterval
	}
	if t.Interval < time.Second {
		return t, Fail(node, at("interval"), "%s is shorter than 1s", tm.Interval)
	}
	if tm.Timeout == 0 {
		t.Timeout = min(DefaultTimeout, t.Interval)
	}
	switch {
	case t.Timeout <= 0:
		return t, Fail(node, at("timeout"), "%s is not positive", tm.Timeout)
	case t.Timeout > t.Interval:
		return t, Fail(node, at("timeout"), "%s is longer than the interval %s: probes of a target never overlap", tm.Timeout, model.Duration(t.Interval))
	}
	return t, nil
}

// Fail returns a configuration error at path in node (the kind's block), worded like
// collector.DecodeStrict's: "line N: targets[2].http.url: message". When the key is absent the
// line is that of the deepest enclosing key that exists.
func Fail(node *yaml.Node, path []any, format string, args ...any) error {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, p)
		}
	}
	return &apisource.ConfigError{Line: collector.LineOf(node, path...), Field: b.String(), Err: fmt.Errorf(format, args...)}
}
