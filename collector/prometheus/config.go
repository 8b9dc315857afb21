package prometheus

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/period"
)

// Config is the `prometheus:` block of a source. docs/configuration.md documents each key; keep
// the two in step.
type Config struct {
	// URL is the server's base URL (http://prometheus:9090, a Thanos Query, a Mimir
	// /prometheus prefix, a VictoriaMetrics); /api/v1/... is added to it.
	URL string `yaml:"url"`
	// HTTPClientConfig is how the server is called: authorization, basic_auth, oauth2,
	// tls_config, proxy_url, http_headers (prometheus/common's client configuration).
	HTTPClientConfig config.HTTPClientConfig `yaml:"http_client_config"`
	// Step is the timeslice: every series gets one reading per step, slices aligned on
	// multiples of Step since the Unix epoch. Default 1m.
	Step model.Duration `yaml:"step"`
	// Resolution is how often an availability expression is evaluated inside a step (the
	// scrape interval); Step must be a multiple of it. Default 15s, or Step when shorter.
	Resolution model.Duration `yaml:"resolution"`
	// Backfill is how much the first sync reads: "N periods" (the current period and the N-1
	// before it, in Timezone) or a duration. Default "2 periods".
	Backfill string `yaml:"backfill"`
	// Period is the period Backfill counts in: month (default), week, quarter, year.
	Period string `yaml:"period"`
	// Timezone is the IANA zone of the calendar periods. Default UTC.
	Timezone string `yaml:"timezone"`
	// Overlap is how much each sync reads again before its checkpoint, for data that reached
	// the server late. Default 2m.
	Overlap *model.Duration `yaml:"overlap"`
	// QueryTimeout bounds each query, on the server (its timeout parameter) and here.
	// Default 30s.
	QueryTimeout model.Duration `yaml:"query_timeout"`
	// LookbackDelta, when set, is sent with every query (Prometheus 2.43 and later honour it):
	// how long after its last sample a series without a staleness marker still reads as its
	// last value. Unset: the server's own (Prometheus: 5m).
	LookbackDelta model.Duration `yaml:"lookback_delta"`
	// Availability lists the availability series, from 0/1 expressions.
	Availability []AvailabilityConfig `yaml:"availability"`
	// Events lists the event-ratio series, from counters.
	Events []EventsConfig `yaml:"events"`
}

// AvailabilityConfig is one availability expression.
type AvailabilityConfig struct {
	// Series names the one series the expression gives; SeriesLabel instead makes one series
	// per value of that label (fan-out). Exactly one of them is set.
	Series      string `yaml:"series"`
	SeriesLabel string `yaml:"series_label"`
	// Query is an instant expression whose values are 1 (up) or 0 (down), with one result per
	// series at each instant: probe_success{job="blackbox"}, up{job="api"}.
	Query string `yaml:"query"`
}

// EventsConfig is one event-ratio series from counters: Good and Total, or Bad and Total.
type EventsConfig struct {
	// Series and SeriesLabel as for AvailabilityConfig.
	Series      string `yaml:"series"`
	SeriesLabel string `yaml:"series_label"`
	// Good, Bad and Total are series selectors of counters (a metric name with optional
	// matchers): the source reads their raw samples.
	Good  string `yaml:"good"`
	Bad   string `yaml:"bad"`
	Total string `yaml:"total"`
	// ErrorQuery or GoodQuery, with TotalQuery, are PromQL expressions instead (Sloth's
	// error_query and total_query): with {{.window}} in them, per-second rates over the window,
	// which the source sets to step; without it, counter-valued expressions (queries.go).
	ErrorQuery string `yaml:"error_query"`
	GoodQuery  string `yaml:"good_query"`
	TotalQuery string `yaml:"total_query"`
	// Latency instead counts the observations of a histogram at most Le as good (latency.go).
	Latency *LatencyConfig `yaml:"latency"`
}

// LatencyConfig is a latency indicator from a histogram, classic or native.
type LatencyConfig struct {
	// Metric is the histogram's base name with optional matchers:
	// http_request_duration_seconds{job="api"} (the classic one's series are Metric_bucket and
	// Metric_count).
	Metric string `yaml:"metric"`
	// Le is the threshold in the histogram's unit: a bucket bound of a classic histogram, any
	// value for a native one.
	Le *float64 `yaml:"le"`
}

// Defaults and limits of the settings.
const (
	defaultStep       = time.Minute
	defaultResolution = 15 * time.Second
	defaultOverlap    = 2 * time.Minute
	defaultTimeout    = 30 * time.Second
	defaultBackfill   = "2 periods"
	// maxBackfill bounds the first sync: a year of 1-minute slices is about 210 chunks.
	maxBackfill = 366 * 24 * time.Hour
	// maxOverlap bounds what every sync reads again.
	maxOverlap = 24 * time.Hour
	// maxEvaluations bounds Step/Resolution, the evaluations of an expression per slice: a
	// chunk holds at least one slice, and a query's inner evaluations are bounded by it.
	maxEvaluations = pointsPerQuery
)

// settings is a Config checked, defaults applied.
type settings struct {
	name       string
	base       *url.URL
	client     config.HTTPClientConfig
	step, res  time.Duration
	overlap    time.Duration
	timeout    time.Duration
	lookback   time.Duration // sent when > 0
	backfill   backfill
	avail      []availEntry
	events     []eventEntry
	chunkSteps int // slices per chunk
}

// backfill is where the first sync starts: periods back in the period's calendar, or a duration.
type backfill struct {
	periods int
	period  period.Period
	span    time.Duration
}

// start returns where the first sync at now starts reading, before alignment to a step.
func (b backfill) start(now time.Time) time.Time {
	if b.periods == 0 {
		return now.Add(-b.span)
	}
	start, _ := b.period.Bounds(now)
	for range b.periods - 1 {
		start, _ = b.period.Previous(start)
	}
	return start
}

type availEntry struct {
	index  int
	series string // fixed series, or "" with label
	label  string
	query  string
}

type eventEntry struct {
	index            int
	series, label    string
	form             eventForm
	good, bad, total string // selectors, or the queries (windowed: {{.window}} substituted)
	goodIsBad        bool   // bad (or error_query) was given: good = total - bad
	constantTotal    bool   // total_query is vector(N): a bucket has data only where the ratio has a point
	goodSel          string // good or bad, whichever is given
	// totalKey and otherKey name the entry's keys in rejections: total and good, or
	// total_query and error_query, or latency.metric and latency.le.
	totalKey, otherKey string
	latency            latencySpec
}

// entryName names an entry in messages: "availability[0] (series web)", "events[1] (series_label instance)".
func entryName(kind string, i int, series, label string) string {
	if label != "" {
		return fmt.Sprintf("%s[%d] (series_label %s)", kind, i, label)
	}
	return fmt.Sprintf("%s[%d] (series %s)", kind, i, series)
}

// ConfigError is a configuration error at a line of the block: "line N: key: message", as
// collector.DecodeStrict's errors read; without a line (a Config built in code) "key: message".
type ConfigError struct {
	Line  int
	Field string
	Err   error
}

func (e *ConfigError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %v", e.Field, e.Err)
	}
	return fmt.Sprintf("line %d: %s: %v", e.Line, e.Field, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// fail returns a ConfigError for the key at path (strings for keys, ints for list items) in
// node, the kind's block; node may be nil.
func fail(node *yaml.Node, path []any, format string, args ...any) error {
	var field strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case int:
			fmt.Fprintf(&field, "[%d]", p)
		default:
			if field.Len() > 0 {
				field.WriteByte('.')
			}
			fmt.Fprint(&field, p)
		}
	}
	line := 0
	if node != nil {
		line = collector.LineOf(node, path...)
	}
	return &ConfigError{Line: line, Field: field.String(), Err: fmt.Errorf(format, args...)}
}

// selectorPattern is a series selector: a metric name with optional matchers, or matchers
// alone. It is a first check only (the server parses it); it refuses what is plainly an
// expression, such as rate(x[5m]) or sum(x), which cannot take a range.
var selectorPattern = regexp.MustCompile(`^\s*(?:[a-zA-Z_:][a-zA-Z0-9_:]*\s*(?:\{.*\})?|\{.*\})\s*$`)

// labelPattern is a label name.
var labelPattern = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// compile checks cfg, decoded from node (nil for a Config built in code).
func compile(node *yaml.Node, cfg *Config, opts collector.Options) (*settings, error) {
	// apisource.Compile checks url and http_client_config (scheme and host, no credentials in
	// the URL, secret references refused, credentials in plain header values refused, files
	// resolved against the configuration's folder), as for every HTTP source; the paging keys it
	// also checks do not exist here, so they are given values that pass.
	api, err := apisource.Compile(node, &apisource.Config{URL: cfg.URL, HTTPClientConfig: cfg.HTTPClientConfig},
		apisource.Defaults{PageSize: 1, MaxPageSize: 1, MaxRequestsPerSync: 2}, "prometheus", opts)
	if err != nil {
		var ce *apisource.ConfigError
		if errors.As(err, &ce) && node == nil {
			return nil, &ConfigError{Field: ce.Field, Err: ce.Err}
		}
		return nil, err
	}
	s := &settings{name: opts.Name, base: api.Base, client: api.Client}

	s.step = cmp.Or(time.Duration(cfg.Step), defaultStep)
	switch {
	case s.step < availability.MinSlice || s.step > availability.MaxSlice:
		return nil, fail(node, []any{"step"}, "%s is not between %s and %s", model.Duration(s.step), model.Duration(availability.MinSlice), model.Duration(availability.MaxSlice))
	case s.step%time.Millisecond != 0:
		return nil, fail(node, []any{"step"}, "%s is not a whole number of milliseconds", s.step)
	}
	s.res = time.Duration(cfg.Resolution)
	if s.res == 0 {
		s.res = min(defaultResolution, s.step)
	}
	switch {
	case s.res < time.Millisecond || s.res%time.Millisecond != 0:
		return nil, fail(node, []any{"resolution"}, "%s is not a positive whole number of milliseconds", s.res)
	case s.res > s.step || s.step%s.res != 0:
		return nil, fail(node, []any{"resolution"}, "%s does not divide step %s: each slice must hold whole evaluations", model.Duration(s.res), model.Duration(s.step))
	case s.step/s.res > maxEvaluations:
		return nil, fail(node, []any{"resolution"}, "%s makes %d evaluations per step of %s, more than %d: raise it", model.Duration(s.res), s.step/s.res, model.Duration(s.step), maxEvaluations)
	}
	// A chunk is as many slices as keep every query under pointsPerQuery points per series:
	// the outer points of a range query (slices) and the inner evaluations of its subquery
	// (slices × step/resolution), which are also about the raw samples of a counter scraped
	// every resolution.
	s.chunkSteps = max(1, pointsPerQuery/int(s.step/s.res))

	s.overlap = defaultOverlap
	if cfg.Overlap != nil {
		s.overlap = time.Duration(*cfg.Overlap)
	}
	if s.overlap < 0 || s.overlap > maxOverlap {
		return nil, fail(node, []any{"overlap"}, "%s is not between 0s and %s", model.Duration(s.overlap), model.Duration(maxOverlap))
	}
	s.timeout = cmp.Or(time.Duration(cfg.QueryTimeout), defaultTimeout)
	if s.timeout < 0 {
		return nil, fail(node, []any{"query_timeout"}, "%s is negative", model.Duration(s.timeout))
	}
	s.lookback = time.Duration(cfg.LookbackDelta)
	if s.lookback < 0 || (s.lookback > 0 && s.lookback < s.res) {
		return nil, fail(node, []any{"lookback_delta"}, "%s is shorter than resolution %s: every evaluation between two samples would read as missing", model.Duration(s.lookback), model.Duration(s.res))
	}

	loc := time.UTC
	if tz := strings.TrimSpace(cfg.Timezone); tz != "" {
		if loc, err = time.LoadLocation(tz); err != nil {
			return nil, fail(node, []any{"timezone"}, "%q is not an IANA time zone (Europe/Rome, UTC)", tz)
		}
	}
	per := period.Period{Kind: period.Month, Location: loc}
	if p := strings.TrimSpace(cfg.Period); p != "" {
		if per, err = period.Parse(p, loc); err != nil || !per.Calendar() {
			return nil, fail(node, []any{"period"}, "%q is not week, month, quarter or year", p)
		}
	}
	if s.backfill, err = parseBackfill(cmp.Or(strings.TrimSpace(cfg.Backfill), defaultBackfill), per); err != nil {
		return nil, fail(node, []any{"backfill"}, "%v", err)
	}

	if len(cfg.Availability) == 0 && len(cfg.Events) == 0 {
		return nil, fail(node, []any{"availability"}, "is required, or events: the source has nothing to read")
	}
	fixed := map[string]string{} // fixed series name -> entry, per kind of data
	for i, a := range cfg.Availability {
		e := availEntry{index: i, series: strings.TrimSpace(a.Series), label: strings.TrimSpace(a.SeriesLabel), query: strings.TrimSpace(a.Query)}
		if err := checkSeries(node, "availability", i, e.series, e.label, fixed); err != nil {
			return nil, err
		}
		if e.query == "" {
			return nil, fail(node, []any{"availability", i, "query"}, "is required: an expression whose values are 1 (up) or 0 (down)")
		}
		s.avail = append(s.avail, e)
	}
	fixed = map[string]string{}
	for i, ev := range cfg.Events {
		e := eventEntry{index: i, series: strings.TrimSpace(ev.Series), label: strings.TrimSpace(ev.SeriesLabel),
			good: strings.TrimSpace(ev.Good), bad: strings.TrimSpace(ev.Bad), total: strings.TrimSpace(ev.Total)}
		if err := checkSeries(node, "events", i, e.series, e.label, fixed); err != nil {
			return nil, err
		}
		if err := compileEvents(node, i, ev, &e, s); err != nil {
			return nil, err
		}
		s.events = append(s.events, e)
	}
	return s, nil
}

// checkSeries checks an entry's series or series_label; fixed holds the fixed names seen.
func checkSeries(node *yaml.Node, kind string, i int, series, label string, fixed map[string]string) error {
	switch {
	case (series == "") == (label == ""):
		return fail(node, []any{kind, i}, "needs series (one series) or series_label (one series per value of the label), one of them")
	case label != "" && !labelPattern.MatchString(label):
		return fail(node, []any{kind, i, "series_label"}, "%q is not a label name", label)
	case series != "":
		if prev, ok := fixed[series]; ok {
			return fail(node, []any{kind, i, "series"}, "%q is already the series of %s", series, prev)
		}
		fixed[series] = fmt.Sprintf("%s[%d]", kind, i)
	}
	return nil
}

// parseBackfill reads "N periods" ("1 period") or a duration.
func parseBackfill(s string, per period.Period) (backfill, error) {
	if n, unit, ok := strings.Cut(s, " "); ok && (strings.TrimSpace(unit) == "periods" || strings.TrimSpace(unit) == "period") {
		k, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || k < 1 || k > 12 {
			return backfill{}, fmt.Errorf("%q: the number of periods must be 1 to 12", s)
		}
		// The longest calendar period is a year: 12 months, or 1 year, are about the limit.
		if per.Kind == period.Year && k > 1 || per.Kind == period.Quarter && k > 4 {
			return backfill{}, fmt.Errorf("%q of %s reaches back more than %s", s, per.Kind, model.Duration(maxBackfill))
		}
		return backfill{periods: k, period: per}, nil
	}
	d, err := model.ParseDuration(s)
	if err != nil {
		return backfill{}, fmt.Errorf("%q is neither \"N periods\" nor a duration (30d, 12h)", s)
	}
	if time.Duration(d) <= 0 || time.Duration(d) > maxBackfill {
		return backfill{}, fmt.Errorf("%s is not between 0s and %s", d, model.Duration(maxBackfill))
	}
	return backfill{span: time.Duration(d)}, nil
}
