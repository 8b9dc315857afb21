// Package blackbox is the `blackbox` source kind: it asks a blackbox_exporter to probe each
// target (GET /probe?target=&module=, as Prometheus scrapes it) on the target's own interval,
// for teams that run blackbox_exporter without Prometheus. Each answer's probe_success is a
// sample of the target's series; a blackbox_exporter that does not answer, or answers with an
// error, says nothing about the target: the sample is missing data, and when no probe could run
// since the last sync the sync fails with the reason. The scheduling, samples and checkpoint
// are collector/probe's.
package blackbox

import (
	"net/url"
	"strings"

	"github.com/prometheus/common/config"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/collector/probe"
)

// Kind is the blackbox source kind, for the table of kinds in collector/sources.
var Kind = collector.Kind{New: newKind, Probes: true, Live: true}

// Config is the `blackbox:` block of a source. docs/configuration.md documents each key; keep
// the two in step.
type Config struct {
	// URL is the blackbox_exporter's base URL, e.g. http://127.0.0.1:9115.
	URL string `yaml:"url"`
	// HTTPClientConfig is how the blackbox_exporter is called (its web.config's TLS and basic
	// auth), prometheus/common's client configuration.
	HTTPClientConfig config.HTTPClientConfig `yaml:"http_client_config"`
	// Targets are what blackbox_exporter probes, each feeding a series of its own.
	Targets []TargetConfig `yaml:"targets"`
}

// TargetConfig is one target: series, interval, timeout (as the probe kind's) and what
// blackbox_exporter is asked.
type TargetConfig struct {
	probe.Timing `yaml:",inline"`
	// Target is the /probe request's target parameter: a URL, host:port or host, as the
	// module's prober expects.
	Target string `yaml:"target"`
	// Module is one of blackbox_exporter's configured modules.
	Module string `yaml:"module"`
}

// newKind decodes a `blackbox:` block and builds its source.
func newKind(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	var cfg Config
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, apisource.ScrubConfigError(node, err)
	}
	src, err := build(node, cfg, opts, nil)
	if err != nil {
		return nil, apisource.ScrubConfigError(node, err)
	}
	return src, nil
}

// New builds the source of cfg, for callers that build their configuration in Go; errors name
// the keys with line 0. Nothing is requested before the first Sync.
func New(cfg Config, opts collector.Options) (*probe.Source, error) {
	return build(nil, cfg, opts, nil)
}

// build compiles cfg; clock nil is the system clock.
func build(node *yaml.Node, cfg Config, opts collector.Options, clock collector.Clock) (*probe.Source, error) {
	base, err := apisource.BaseURL(node, []string{"url"}, cfg.URL, "the blackbox_exporter's URL, e.g. http://127.0.0.1:9115")
	if err != nil {
		return nil, err
	}
	hc, err := apisource.HTTPClientConfig(node, []string{"http_client_config"}, cfg.HTTPClientConfig, opts.Dir)
	if err != nil {
		return nil, err
	}
	if len(cfg.Targets) == 0 {
		return nil, probe.Fail(node, []any{"targets"}, "is required: at least one target")
	}
	c := newClient(base, hc, opts)
	seen := map[string]int{}
	targets := make([]probe.Target, 0, len(cfg.Targets))
	for i, tc := range cfg.Targets {
		at := []any{"targets", i}
		t, err := tc.Timing.Compile(node, at, seen)
		if err != nil {
			return nil, err
		}
		target, module := strings.TrimSpace(tc.Target), strings.TrimSpace(tc.Module)
		switch {
		case target == "":
			return nil, probe.Fail(node, append(at, "target"), "is required: what blackbox_exporter probes (a URL, host:port or host)")
		case module == "":
			return nil, probe.Fail(node, append(at, "module"), "is required: one of the blackbox_exporter's modules (http_2xx ...)")
		case strings.ContainsAny(module, " \t\r\n"):
			return nil, probe.Fail(node, append(at, "module"), "%q is not a module name", tc.Module)
		}
		t.Target, t.Prober = displayTarget(target), module
		t.Probe = &prober{c: c, query: url.Values{"target": {target}, "module": {module}}, timeout: t.Timeout}
		targets = append(targets, t)
	}
	src := probe.NewSource(targets, opts, clock)
	src.OnClose(c.close)
	return src, nil
}

// displayTarget is a target as sla_probe_* and logs show it: a URL without its user information
// and query (a key in a health check's URL), anything else (host:port, a host) as it is.
func displayTarget(target string) string {
	if strings.Contains(target, "://") {
		return apisource.RedactURL(target)
	}
	return target
}
