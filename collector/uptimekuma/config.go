package uptimekuma

import (
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// Config is the `uptime_kuma:` block of a source. docs/configuration.md documents each key;
// keep the two in step.
type Config struct {
	// url (Uptime Kuma's address), http_client_config, rate_limit, request_timeout.
	apisource.DocumentConfig `yaml:",inline"`
	// Slug is the status page whose monitors are read (/status/<slug>): Uptime Kuma serves
	// heartbeats only through status pages.
	Slug string `yaml:"slug"`
	// Monitors selects the monitors read, each by its name or id, each a series named as
	// written. Unset, every monitor of the page, each a series named by its name.
	Monitors []string `yaml:"monitors"`
	// Pending is what a pending heartbeat (a failed check Uptime Kuma is retrying before it
	// calls the monitor down) counts as: degraded (the default) or down (as Uptime Kuma's own
	// uptime counts it).
	Pending string `yaml:"pending"`
}

// defaults: no hosted default; two requests a sync, kept well under Uptime Kuma's API limits.
var defaults = apisource.Defaults{
	PageSize:           heartbeatLimit,
	MaxPageSize:        heartbeatLimit,
	RateLimit:          apisource.RateLimit{Requests: 60, Per: model.Duration(time.Minute), Burst: 5},
	MaxRequestsPerSync: 10,
	RequestTimeout:     30 * time.Second,
}

// slugPattern is a status page's slug as Uptime Kuma accepts it (letters, digits, dashes; the
// router lowercases it).
var slugPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// settings is a Config checked.
type settings struct {
	api      *apisource.Settings
	slug     string
	monitors []string
	pending  availability.State
}

func compile(node *yaml.Node, opts collector.Options) (*settings, error) {
	if node == nil {
		return nil, errors.New("the uptime_kuma source needs an `uptime_kuma:` block with at least url and slug")
	}
	cfg := Config{DocumentConfig: apisource.DefaultDocumentConfig()}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	api, err := apisource.CompileDocuments(node, &cfg.DocumentConfig, defaults, "uptime_kuma", opts)
	if err != nil {
		return nil, err
	}
	s := &settings{api: api, slug: strings.ToLower(strings.TrimSpace(cfg.Slug)), monitors: cfg.Monitors, pending: availability.Degraded}
	switch {
	case s.slug == "":
		return nil, apisource.Fail(node, []string{"slug"}, "is required: the status page's slug, as in <url>/status/<slug>")
	case !slugPattern.MatchString(s.slug):
		return nil, apisource.Fail(node, []string{"slug"}, "%q is not a status page's slug (letters, digits, - and _)", cfg.Slug)
	}
	switch strings.ToLower(strings.TrimSpace(cfg.Pending)) {
	case "", "degraded":
	case "down":
		s.pending = availability.Down
	default:
		return nil, apisource.Fail(node, []string{"pending"}, "%q is not degraded or down", cfg.Pending)
	}
	if err := apisource.CheckSelectors(node, "monitors", cfg.Monitors); err != nil {
		return nil, err
	}
	return s, nil
}
