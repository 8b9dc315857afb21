package zendesk

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Config is the `zendesk:` block of a source. docs/configuration.md documents each key; keep
// the two in step.
type Config struct {
	// The keys every API source has (collector/apisource): url (the account's address,
	// https://SUBDOMAIN.zendesk.com), http_client_config (an API token as basic_auth with
	// username EMAIL/token and password_file, or an OAuth access token as authorization type
	// Bearer), rate_limit (the account's limit, shared by every endpoint), page_size (tickets
	// per export page, at most 1000), max_requests_per_sync, overlap, reconcile_interval
	// (default 0s: the export reports deletions), request_timeout.
	apisource.Config `yaml:",inline"`
	// IncrementalRateLimit is the client-side limit of the incremental export, on top of
	// rate_limit: Zendesk allows 10 requests a minute (30 with the High Volume API add-on).
	// Default 10 per 1m in bursts of 1, which no 60-second window can exceed.
	IncrementalRateLimit apisource.RateLimit `yaml:"incremental_rate_limit"`
	// Statuses maps Zendesk's statuses to categories. Default: new and open open, pending and
	// hold paused, solved resolved, closed closed. When set it replaces the default whole.
	Statuses Statuses `yaml:"statuses"`
	// DefaultPriority is the priority of a ticket without one (Zendesk's "-"). Default none.
	DefaultPriority string `yaml:"default_priority"`
	// DefaultType is the type of a ticket without one. Default ticket.
	DefaultType string `yaml:"default_type"`
	// Groups names groups by id: the ticket's group is the name, else the id.
	Groups map[string]string `yaml:"groups"`
	// Brands names brands by id, for the brand field; else the id.
	Brands map[string]string `yaml:"brands"`
	// TagFields maps field names to patterns over the ticket's tags, as the label kinds'
	// field_labels: {customer: "customer_(.+)"}.
	TagFields map[string]string `yaml:"tag_fields"`
	// CustomFields maps field names to custom ticket field ids: {product: 360001234567}.
	CustomFields map[string]int64 `yaml:"custom_fields"`
	// NativeSLAs maps Zendesk's SLA metric names to the exporter's clocks (response or
	// resolution), for the import of slas.policy_metrics. Default {first_reply_time: response,
	// requester_wait_time: resolution}; when set it replaces the default. Metrics not listed
	// are imported without a clock.
	NativeSLAs map[string]string `yaml:"native_slas"`
}

// Statuses lists Zendesk's status names of each category.
type Statuses struct {
	Open      []string `yaml:"open"`
	Paused    []string `yaml:"paused"`
	Resolved  []string `yaml:"resolved"`
	Closed    []string `yaml:"closed"`
	Cancelled []string `yaml:"cancelled"`
}

// DefaultStatuses are Zendesk's statuses: pending (waiting on the requester) and on-hold
// (waiting on a third party) pause.
func DefaultStatuses() Statuses {
	return Statuses{Open: []string{"new", "open"}, Paused: []string{"pending", "hold"},
		Resolved: []string{"solved"}, Closed: []string{"closed"}}
}

// Defaults of Config.
const (
	DefaultPriority = "none"
	DefaultType     = "ticket"
)

// DefaultNativeSLAs are the metrics imported with a clock unless native_slas says otherwise.
func DefaultNativeSLAs() map[string]string {
	return map[string]string{"first_reply_time": "response", "requester_wait_time": "resolution"}
}

// defaults are Zendesk's values of the API keys: pages of 1000 tickets, the export's most; a
// client-side limit of 160 requests a minute, 80 % of the smallest plan's 200 (Team), so that
// other integrations keep some; an overlap of a minute for a start_time asked while no cursor
// is held (syncs resume from the export's cursor); no reconciliation, since the export lists
// deleted tickets.
var defaults = apisource.Defaults{
	PageSize:           1000,
	MaxPageSize:        1000,
	RateLimit:          apisource.RateLimit{Requests: 160, Per: model.Duration(time.Minute), Burst: 10},
	MaxRequestsPerSync: 2000,
	Overlap:            time.Minute,
	RequestTimeout:     time.Minute,
	Credentials:        "http_client_config.basic_auth (username: EMAIL/token, password_file: a file holding an API token) or authorization (type: Bearer, credentials_file: an OAuth access token)",
}

// incrementalDefault is Zendesk's limit on the incremental exports, 10 requests a minute, in
// bursts of 1 so that no 60-second window holds more than 10.
var incrementalDefault = apisource.RateLimit{Requests: 10, Per: model.Duration(time.Minute), Burst: 1}

// maxIncremental is the most the incremental exports allow with the High Volume API add-on,
// per minute.
const maxIncremental = 30

var clockNames = []string{"response", "resolution"}

// plan is a Config checked.
type plan struct {
	api         *apisource.Settings
	incremental *apisource.Limiter
	// statuses maps lower-cased status names to categories.
	statuses                     map[string]ticket.Category
	defaultPriority, defaultType string
	groups, brands               map[string]string
	tagFields                    map[string]apisource.LabelPattern
	customFields                 map[string]int64
	clockOf                      map[string]string
}

var errNoBlock = errors.New("the zendesk source needs a `zendesk:` block with at least url and http_client_config")

func compile(node *yaml.Node, opts collector.Options) (*plan, error) {
	p, err := compileBlock(node, opts)
	return p, apisource.ScrubConfigError(node, err)
}

func compileBlock(node *yaml.Node, opts collector.Options) (*plan, error) {
	if node == nil {
		return nil, errNoBlock
	}
	cfg := Config{Config: apisource.Config{HTTPClientConfig: config.DefaultHTTPClientConfig}}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.URL) == "" {
		return nil, apisource.Fail(node, []string{"url"}, "is required: the account's address, such as https://SUBDOMAIN.zendesk.com")
	}
	if strings.Contains(cfg.URL, "/api/v2") {
		return nil, apisource.Fail(node, []string{"url"}, "is the account's address, without /api/v2")
	}
	api, err := apisource.Compile(node, &cfg.Config, defaults, "zendesk", opts)
	if err != nil {
		return nil, err
	}
	if b := cfg.HTTPClientConfig.BasicAuth; b != nil && !strings.HasSuffix(b.Username, "/token") {
		return nil, apisource.Fail(node, []string{"http_client_config", "basic_auth", "username"},
			"does not end in /token: an API token signs in as EMAIL/token, the token being the password")
	}
	p := &plan{api: api, groups: cfg.Groups, brands: cfg.Brands, customFields: map[string]int64{},
		tagFields: map[string]apisource.LabelPattern{}}
	rl := cfg.IncrementalRateLimit
	if rl != (apisource.RateLimit{}) && rl.Requests > 0 && rl.Per > 0 &&
		rl.Requests*float64(time.Minute)/float64(time.Duration(rl.Per))+float64(max(rl.Burst, 1)-1) > maxIncremental {
		return nil, apisource.Fail(node, []string{"incremental_rate_limit"},
			"allows more than %d requests in a minute, the most Zendesk's incremental exports take (10 without the High Volume API add-on)", maxIncremental)
	}
	if p.incremental, err = apisource.CompileLimiter(node, "incremental_rate_limit", rl, incrementalDefault); err != nil {
		return nil, err
	}

	st := cfg.Statuses
	if !hasKey(node, "statuses") {
		st = DefaultStatuses()
	}
	p.statuses = map[string]ticket.Category{}
	for _, g := range []struct {
		key   string
		names []string
		cat   ticket.Category
	}{
		{"open", st.Open, ticket.Open}, {"paused", st.Paused, ticket.Paused}, {"resolved", st.Resolved, ticket.Resolved},
		{"closed", st.Closed, ticket.Closed}, {"cancelled", st.Cancelled, ticket.Cancelled},
	} {
		for i, n := range g.names {
			k := strings.ToLower(strings.TrimSpace(n))
			at := []string{"statuses", fmt.Sprintf("%s[%d]", g.key, i)}
			if k == "" {
				return nil, apisource.Fail(node, at, "an empty status name")
			}
			if prev, dup := p.statuses[k]; dup {
				return nil, apisource.Fail(node, at, "status %q is listed under %s too", n, prev)
			}
			p.statuses[k] = g.cat
		}
	}
	if len(p.statuses) == 0 {
		return nil, apisource.Fail(node, []string{"statuses"}, "lists no status")
	}

	p.defaultPriority = strings.TrimSpace(cfg.DefaultPriority)
	if !hasKey(node, "default_priority") {
		p.defaultPriority = DefaultPriority
	}
	p.defaultType = strings.TrimSpace(cfg.DefaultType)
	if p.defaultType == "" {
		p.defaultType = DefaultType
	}
	for _, m := range []struct {
		key string
		ids map[string]string
	}{{"groups", cfg.Groups}, {"brands", cfg.Brands}} {
		for _, id := range slices.Sorted(maps.Keys(m.ids)) {
			if !isID(id) {
				return nil, apisource.Fail(node, []string{m.key}, "%q is not a %s id (a positive whole number)", id, strings.TrimSuffix(m.key, "s"))
			}
			if strings.TrimSpace(m.ids[id]) == "" {
				return nil, apisource.Fail(node, []string{m.key, id}, "needs a name")
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.TagFields)) {
		if err := checkField(node, "tag_fields", name); err != nil {
			return nil, err
		}
		pat, err := apisource.CompileLabelPattern(cfg.TagFields[name])
		if err != nil {
			return nil, apisource.Fail(node, []string{"tag_fields", name}, "%v", err)
		}
		if !pat.Set() {
			return nil, apisource.Fail(node, []string{"tag_fields", name}, "needs a pattern")
		}
		p.tagFields[name] = pat
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.CustomFields)) {
		if err := checkField(node, "custom_fields", name); err != nil {
			return nil, err
		}
		if _, dup := p.tagFields[name]; dup {
			return nil, apisource.Fail(node, []string{"custom_fields", name}, "is a field of tag_fields too")
		}
		if cfg.CustomFields[name] <= 0 {
			return nil, apisource.Fail(node, []string{"custom_fields", name}, "%d is not a custom field id (a positive whole number)", cfg.CustomFields[name])
		}
		p.customFields[name] = cfg.CustomFields[name]
	}

	p.clockOf = cfg.NativeSLAs
	if !hasKey(node, "native_slas") {
		p.clockOf = DefaultNativeSLAs()
	}
	for _, metric := range slices.Sorted(maps.Keys(p.clockOf)) {
		if strings.TrimSpace(metric) == "" {
			return nil, apisource.Fail(node, []string{"native_slas"}, "a metric needs a name")
		}
		if !slices.Contains(clockNames, p.clockOf[metric]) {
			return nil, apisource.Fail(node, []string{"native_slas", metric}, "%q is not a clock (response or resolution)", p.clockOf[metric])
		}
	}
	return p, nil
}

// Fields the source sets itself, which tag_fields and custom_fields may not name.
var ownFields = []string{"assignee", "brand", "channel", "organization"}

func checkField(node *yaml.Node, key, name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return apisource.Fail(node, []string{key}, "a field needs a name")
	case slices.Contains(ownFields, name):
		return apisource.Fail(node, []string{key, name}, "%s is set by the source (%s)", name, strings.Join(ownFields, ", "))
	}
	return nil
}

func isID(s string) bool {
	if s == "" || s[0] == '0' {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return len(s) <= 19
}

// hasKey reports whether the mapping node n has the key.
func hasKey(n *yaml.Node, key string) bool {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}
