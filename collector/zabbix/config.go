package zabbix

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Config is the `zabbix:` block of a source. docs/configuration.md documents it too; keep the
// two in step.
type Config struct {
	// URL is the Zabbix frontend's address, such as https://zabbix.example.com or
	// https://example.com/zabbix; the API is its api_jsonrpc.php (which may be given too).
	URL string `yaml:"url"`
	// HTTPClientConfig is how the API is called: TLS, a proxy; for Zabbix 6.4 and later an API
	// token may be sent as authorization {type: Bearer, credentials_file: ...} instead of
	// token_file.
	HTTPClientConfig config.HTTPClientConfig `yaml:"http_client_config"`
	// RateLimit, PageSize (events asked per event.get), MaxRequestsPerSync, Overlap (how far
	// before the last sync's end each sync asks again, for events written late: proxies,
	// buffered agents) and RequestTimeout are the keys of the same names every API source has
	// (collector/apisource). reconcile_interval is not one of them here: each sync reads every
	// problem of its span again.
	RateLimit          apisource.RateLimit `yaml:"rate_limit"`
	PageSize           int                 `yaml:"page_size"`
	MaxRequestsPerSync int                 `yaml:"max_requests_per_sync"`
	Overlap            model.Duration      `yaml:"overlap"`
	RequestTimeout     model.Duration      `yaml:"request_timeout"`
	// TokenFile is a file holding a Zabbix API token (Users → API tokens). Zabbix 6.0 and 6.2
	// take it in the request's "auth" member; 6.4 and later in "Authorization: Bearer", which
	// the source picks after asking the version. It is read at each sync, never logged.
	TokenFile string `yaml:"token_file"`
	// Backfill is how far back the first sync reads problems (and maintenance): the coverage
	// starts there. Default 62d, the current and the previous calendar month.
	Backfill model.Duration `yaml:"backfill"`
	// Timezone is the Zabbix server's time zone (the TZ its process runs with), in which
	// recurring maintenance periods start. Default UTC.
	Timezone string `yaml:"timezone"`
	// Maintenance says whether Zabbix maintenance periods are imported as the series'
	// maintenance. Default true.
	Maintenance *bool `yaml:"maintenance"`
	// Series are the uptime series the source makes: each a selection of problems.
	Series []SeriesConfig `yaml:"series"`
	// SLAs are Zabbix SLAs (Services → SLA) whose own figures (sla.getsli) each sync reads for
	// a service series, for the evaluation to compare with the objectives on that series.
	SLAs []SLAConfig `yaml:"slas"`
}

// SLAConfig names a Zabbix SLA and the series whose service it is read for.
type SLAConfig struct {
	// Name is the SLA's name in Zabbix.
	Name string `yaml:"name"`
	// Series is a series of this source made of a service (service:), one of the SLA's
	// services (its service tags match the service's).
	Series string `yaml:"series"`
}

// SeriesConfig is one series, or one series per host (PerHost), made of the problems of a
// selection: the filters given must all match (hosts and host groups together make one set of
// hosts).
type SeriesConfig struct {
	// Name is the series' name, which objectives select with `series:`. With PerHost it is an
	// optional prefix: the series are "<name>/<host>", or "<host>" without it.
	Name string `yaml:"name"`
	// PerHost makes one series per host of Hosts and HostGroups, named after the host's
	// technical name.
	PerHost bool `yaml:"per_host"`
	// Hosts are technical host names (Zabbix's "Host name", not the visible name).
	Hosts []string `yaml:"hosts"`
	// HostGroups are host group names: their hosts are selected.
	HostGroups []string `yaml:"host_groups"`
	// TriggerIDs select the problems of these triggers only.
	TriggerIDs []string `yaml:"trigger_ids"`
	// Tags select problems by their tags, all of which must match.
	Tags []TagFilter `yaml:"tags"`
	// Service makes the series of a Zabbix service (Services → Services, by name): its status
	// as the Zabbix server computes it (problem tags, children, status rules), read from the
	// service's status timeline. Hosts, host groups, triggers and tags do not apply to it.
	Service string `yaml:"service"`
	// Severities select problems of these severities only (default all): not_classified,
	// information, warning, average, high, disaster.
	Severities []string `yaml:"severities"`
	// DegradedSeverities are the severities whose problems make the series degraded rather
	// than down.
	DegradedSeverities []string `yaml:"degraded_severities"`
}

// TagFilter matches a problem tag.
type TagFilter struct {
	Tag   string `yaml:"tag"`
	Value string `yaml:"value"`
	// Operator is equals (the default with a value), contains, exists (the default without a
	// value), not_equals, not_contains or not_exists.
	Operator string `yaml:"operator"`
}

// severities are Zabbix's trigger severities, by number.
var severities = []string{"not_classified", "information", "warning", "average", "high", "disaster"}

// tagOperators are event.get's tag operators, by name.
var tagOperators = map[string]int{"contains": 0, "equals": 1, "not_contains": 2, "not_equals": 3, "exists": 4, "not_exists": 5}

// Defaults of Config.
const (
	DefaultBackfill = 62 * 24 * time.Hour
	// maxBackfill bounds backfill: every problem of that span is read on a first sync.
	maxBackfill = 400 * 24 * time.Hour
)

// defaults are Zabbix's values of the API keys. Zabbix has no rate limit of its own; each
// request runs database queries on the frontend, so the client-side limit stays modest. The
// overlap covers events written late (a proxy sends its buffer after a network cut).
var defaults = apisource.Defaults{
	PageSize:           1000,
	MaxPageSize:        10000,
	RateLimit:          apisource.RateLimit{Requests: 10, Per: model.Duration(time.Second), Burst: 10},
	MaxRequestsPerSync: 500,
	Overlap:            10 * time.Minute,
	RequestTimeout:     30 * time.Second,
	Credentials:        "token_file (a file holding a Zabbix API token)",
}

// plan is a Config validated and compiled.
type plan struct {
	api         *apisource.Settings
	tokenFile   string
	backfill    time.Duration
	loc         *time.Location
	maintenance bool
	series      []selection
	slas        []slaSel
	// fingerprint changes with the selections: a checkpoint of other selections backfills anew.
	fingerprint string
}

// selection is a SeriesConfig compiled.
type selection struct {
	index      int
	name       string
	perHost    bool
	hosts      []string
	groups     []string
	triggerIDs []string
	tags       []tagParam
	service    string
	severities []int // nil: all
	degraded   [6]bool
}

// slaSel is an SLAConfig compiled: the SLA's name, and the series and service it is read for.
type slaSel struct {
	index   int
	name    string
	series  string
	service string
}

// tagParam is a tag filter as event.get takes it.
type tagParam struct {
	Tag      string `json:"tag"`
	Value    string `json:"value"`
	Operator int    `json:"operator"`
}

// fail is a configuration error at path in node, which may hold list indexes:
// "line N: series[1].hosts[0]: ...".
func fail(node *yaml.Node, path []any, format string, args ...any) error {
	keys := make([]string, 0, len(path))
	for _, p := range path {
		switch p := p.(type) {
		case string:
			keys = append(keys, p)
		case int:
			keys[len(keys)-1] += fmt.Sprintf("[%d]", p)
		}
	}
	return &apisource.ConfigError{Line: collector.LineOf(node, path...), Field: strings.Join(keys, "."), Err: fmt.Errorf(format, args...)}
}

// compile decodes a `zabbix:` block strictly and validates it. Its errors read "line N: key:
// message", and never quote a credential.
func compile(node *yaml.Node, opts collector.Options) (*plan, error) {
	p, err := compileBlock(node, opts)
	return p, apisource.ScrubConfigError(node, err)
}

var errNoBlock = errors.New("the zabbix source needs a `zabbix:` block with at least url, token_file and series")

// triggerID is what a trigger id looks like.
var triggerID = regexp.MustCompile(`^[1-9][0-9]{0,19}$`)

func compileBlock(node *yaml.Node, opts collector.Options) (*plan, error) {
	if node == nil {
		return nil, errNoBlock
	}
	cfg := Config{HTTPClientConfig: config.DefaultHTTPClientConfig}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.URL) == "" {
		return nil, fail(node, []any{"url"}, "is required: the Zabbix frontend's address, such as https://zabbix.example.com")
	}
	// The API's own address is accepted too: the frontend's is what the source needs.
	cfg.URL = strings.TrimSuffix(strings.TrimSpace(cfg.URL), "api_jsonrpc.php")
	if o := time.Duration(cfg.Overlap); o%time.Second != 0 {
		return nil, fail(node, []any{"overlap"}, "%s is not a whole number of seconds (Zabbix dates events to the second)", cfg.Overlap)
	}
	api, err := apisource.Compile(node, &apisource.Config{URL: cfg.URL, HTTPClientConfig: cfg.HTTPClientConfig, RateLimit: cfg.RateLimit,
		PageSize: cfg.PageSize, MaxRequestsPerSync: cfg.MaxRequestsPerSync, Overlap: cfg.Overlap, RequestTimeout: cfg.RequestTimeout},
		defaults, "zabbix", opts)
	if err != nil {
		return nil, err
	}
	p := &plan{api: api, maintenance: cfg.Maintenance == nil || *cfg.Maintenance}

	switch tf := strings.TrimSpace(cfg.TokenFile); {
	case tf != "" && api.Client.Authorization != nil:
		return nil, fail(node, []any{"token_file"}, "and http_client_config.authorization are both set: give the token once")
	case tf != "":
		if !filepath.IsAbs(tf) {
			tf = filepath.Join(opts.Dir, tf)
		}
		p.tokenFile = tf
	case api.Client.Authorization == nil && api.Client.BearerToken == "" && api.Client.BearerTokenFile == "":
		return nil, fail(node, []any{"token_file"}, "is required: a file holding a Zabbix API token (Users → API tokens)")
	}

	p.backfill = cmp.Or(time.Duration(cfg.Backfill), DefaultBackfill)
	if p.backfill < time.Hour || p.backfill > maxBackfill {
		return nil, fail(node, []any{"backfill"}, "%s is not between 1h and %s", model.Duration(p.backfill), model.Duration(maxBackfill))
	}
	tz := cmp.Or(cfg.Timezone, "UTC")
	if p.loc, err = time.LoadLocation(tz); err != nil {
		return nil, fail(node, []any{"timezone"}, "unknown time zone %q (an IANA name such as Europe/Rome)", tz)
	}

	if len(cfg.Series) == 0 {
		return nil, fail(node, []any{"series"}, "lists no series: each is a name and the problems that make it down (hosts, host_groups, trigger_ids, tags, or a service)")
	}
	names := map[string]int{}
	for i, sc := range cfg.Series {
		sel, err := compileSeries(node, i, sc)
		if err != nil {
			return nil, err
		}
		if !sel.perHost {
			if j, dup := names[sel.name]; dup {
				return nil, fail(node, []any{"series", i, "name"}, "%q is the name of series[%d] too", sel.name, j)
			}
			names[sel.name] = i
		}
		p.series = append(p.series, sel)
	}
	// The SLAs make no records: a change of them needs no backfill, and so is not in the
	// fingerprint.
	if p.slas, err = compileSLAs(node, cfg.SLAs, p.series); err != nil {
		return nil, err
	}
	p.fingerprint = fmt.Sprintf("%x", fingerprint(p.series))
	return p, nil
}

// compileSLAs checks that each SLA names a service series of the source, and no series twice:
// the comparison's metrics have one series per objective and period.
func compileSLAs(node *yaml.Node, slas []SLAConfig, sels []selection) ([]slaSel, error) {
	var out []slaSel
	var services []string
	for _, sel := range sels {
		if sel.service != "" {
			services = append(services, sel.name)
		}
	}
	for i, sc := range slas {
		at := func(key string) []any { return []any{"slas", i, key} }
		sl := slaSel{index: i, name: strings.TrimSpace(sc.Name), series: strings.TrimSpace(sc.Series)}
		switch {
		case sl.name == "":
			return nil, fail(node, at("name"), "is required: the SLA's name in Zabbix (Services → SLA)")
		case strings.ContainsAny(sl.name, "\x00\r\n"):
			return nil, fail(node, at("name"), "holds a line break or NUL")
		case sl.series == "":
			return nil, fail(node, at("series"), "is required: the series of this source made of the SLA's service")
		}
		j := slices.IndexFunc(sels, func(s selection) bool { return !s.perHost && s.name == sl.series })
		switch {
		case j < 0 && len(services) == 0:
			return nil, fail(node, at("series"), "%q is not a series of this source, which has no service series (service:): Zabbix computes SLAs of services only", sl.series)
		case j < 0:
			return nil, fail(node, at("series"), "%q is not a series of this source (its service series: %s)", sl.series, strings.Join(services, ", "))
		case sels[j].service == "":
			return nil, fail(node, at("series"), "%q is not made of a service (service:): Zabbix computes SLAs of services only", sl.series)
		}
		if k := slices.IndexFunc(out, func(o slaSel) bool { return o.series == sl.series }); k >= 0 {
			return nil, fail(node, at("series"), "%q is read from slas[%d] already: one SLA per series, so that each objective has one figure of the tool per period", sl.series, k)
		}
		sl.service = sels[j].service
		out = append(out, sl)
	}
	return out, nil
}

func compileSeries(node *yaml.Node, i int, sc SeriesConfig) (selection, error) {
	at := func(path ...any) []any { return append([]any{"series", i}, path...) }
	sel := selection{index: i, name: strings.TrimSpace(sc.Name), perHost: sc.PerHost}
	switch {
	case sel.name == "" && !sc.PerHost:
		return sel, fail(node, at("name"), "is required (or per_host: true, for a series per host)")
	case strings.ContainsAny(sel.name, "\x00\r\n"):
		return sel, fail(node, at("name"), "holds a line break or NUL")
	case strings.TrimSpace(sc.Service) != "" && (sc.PerHost || len(sc.Hosts) > 0 || len(sc.HostGroups) > 0 || len(sc.TriggerIDs) > 0 || len(sc.Tags) > 0):
		return sel, fail(node, at("service"), "is a series of its own: per_host, hosts, host_groups, trigger_ids and tags do not apply to it")
	case sc.PerHost && len(sc.Hosts) == 0 && len(sc.HostGroups) == 0:
		return sel, fail(node, at("per_host"), "needs hosts or host_groups: the series are those hosts'")
	case len(sc.Hosts) == 0 && len(sc.HostGroups) == 0 && len(sc.TriggerIDs) == 0 && len(sc.Tags) == 0 && strings.TrimSpace(sc.Service) == "":
		return sel, fail(node, at(), "selects nothing: give hosts, host_groups, trigger_ids, tags or a service (every problem of Zabbix is rarely one service)")
	}
	sel.service = strings.TrimSpace(sc.Service)
	var err error
	if sel.hosts, err = names(node, at("hosts"), sc.Hosts, "host name"); err != nil {
		return sel, err
	}
	if sel.groups, err = names(node, at("host_groups"), sc.HostGroups, "host group name"); err != nil {
		return sel, err
	}
	for j, id := range sc.TriggerIDs {
		if !triggerID.MatchString(strings.TrimSpace(id)) {
			return sel, fail(node, at("trigger_ids", j), "%q is not a trigger id (a number, as in the trigger's page address)", id)
		}
		sel.triggerIDs = append(sel.triggerIDs, strings.TrimSpace(id))
	}
	for j, tf := range sc.Tags {
		tp := tagParam{Tag: strings.TrimSpace(tf.Tag), Value: tf.Value}
		if tp.Tag == "" {
			return sel, fail(node, at("tags", j, "tag"), "is required")
		}
		op := strings.TrimSpace(tf.Operator)
		if op == "" {
			op = "equals"
			if tf.Value == "" {
				op = "exists"
			}
		}
		n, ok := tagOperators[op]
		if !ok {
			return sel, fail(node, at("tags", j, "operator"), "unknown operator %q (want one of %s)", op, strings.Join(sortedKeys(tagOperators), ", "))
		}
		if (n == 4 || n == 5) && tf.Value != "" {
			return sel, fail(node, at("tags", j, "value"), "is not used with operator %s", op)
		}
		tp.Operator = n
		sel.tags = append(sel.tags, tp)
	}
	chosen := map[int]bool{}
	for j, s := range sc.Severities {
		n, err := severity(node, at("severities", j), s)
		if err != nil {
			return sel, err
		}
		if !chosen[n] {
			chosen[n] = true
			sel.severities = append(sel.severities, n)
		}
	}
	slices.Sort(sel.severities)
	for j, s := range sc.DegradedSeverities {
		n, err := severity(node, at("degraded_severities", j), s)
		if err != nil {
			return sel, err
		}
		if len(sel.severities) > 0 && !chosen[n] {
			return sel, fail(node, at("degraded_severities", j), "%s is not one of severities, so no problem of it is read", s)
		}
		sel.degraded[n] = true
	}
	return sel, nil
}

func names(node *yaml.Node, at []any, list []string, what string) ([]string, error) {
	var out []string
	for j, n := range list {
		n = strings.TrimSpace(n)
		if n == "" {
			return nil, fail(node, append(slices.Clone(at), j), "an empty %s", what)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

func severity(node *yaml.Node, at []any, s string) (int, error) {
	n := slices.Index(severities, strings.ToLower(strings.TrimSpace(s)))
	if n < 0 {
		return 0, fail(node, at, "unknown severity %q (want one of %s)", s, strings.Join(severities, ", "))
	}
	return n, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
