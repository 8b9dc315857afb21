package prometheus

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/config"

	"github.com/sla-exporter/sla_exporter/collector"
)

// TestConfigErrors pins the message of each configuration mistake, with its line in the block.
func TestConfigErrors(t *testing.T) {
	const ok = "availability:\n  - {series: web, query: probe_success}\n"
	for _, tc := range []struct{ body, want string }{
		{"url: ''\n" + ok, "line 1: url: is required (the API's base URL)"},
		{"url: ftp://x\n" + ok, "line 1: url: not an http:// or https:// URL with a host"},
		{"url: http://u:pw@x\n" + ok, "line 1: url: has user information, a query or a fragment: credentials go in http_client_config, and the base URL is only scheme://host/path"},
		{"url: http://x\nstepp: 1m\n" + ok, "line 2: stepp: unknown field (known: url, http_client_config, step, resolution, backfill, period, timezone, overlap, query_timeout, lookback_delta, availability, events)"},
		{"url: http://x\n" + ok + "  - {series: db, quer: up}\n", "line 4: availability[1].quer: unknown field (known: series, series_label, query)"},
		{"url: http://x\nstep: 500ms\n" + ok, "line 2: step: 500ms is not between 1s and 1d"},
		{"url: http://x\nstep: 2d\n" + ok, "line 2: step: 2d is not between 1s and 1d"},
		{"url: http://x\nstep: 1m\nresolution: 25s\n" + ok, "line 3: resolution: 25s does not divide step 1m: each slice must hold whole evaluations"},
		{"url: http://x\nstep: 10s\nresolution: 15s\n" + ok, "line 3: resolution: 15s does not divide step 10s: each slice must hold whole evaluations"},
		{"url: http://x\nstep: 1d\nresolution: 1s\n" + ok, "line 3: resolution: 1s makes 86400 evaluations per step of 1d, more than 10000: raise it"},
		{"url: http://x\noverlap: 2d\n" + ok, "line 2: overlap: 2d is not between 0s and 1d"},
		{"url: http://x\nlookback_delta: 5s\n" + ok, "line 2: lookback_delta: 5s is shorter than resolution 15s: every evaluation between two samples would read as missing"},
		{"url: http://x\ntimezone: Mars/Olympus\n" + ok, `line 2: timezone: "Mars/Olympus" is not an IANA time zone (Europe/Rome, UTC)`},
		{"url: http://x\nperiod: rolling:30d\n" + ok, `line 2: period: "rolling:30d" is not week, month, quarter or year`},
		{"url: http://x\nbackfill: 13 periods\n" + ok, `line 2: backfill: "13 periods": the number of periods must be 1 to 12`},
		{"url: http://x\nbackfill: 2 periods\nperiod: year\n" + ok, `line 2: backfill: "2 periods" of year reaches back more than 366d`},
		{"url: http://x\nbackfill: 400d\n" + ok, "line 2: backfill: 400d is not between 0s and 366d"},
		{"url: http://x\nbackfill: lots\n" + ok, `line 2: backfill: "lots" is neither "N periods" nor a duration (30d, 12h)`},
		{"url: http://x\n", "line 1: availability: is required, or events: the source has nothing to read"},
		{"url: http://x\navailability:\n  - {query: up}\n", "line 3: availability[0]: needs series (one series) or series_label (one series per value of the label), one of them"},
		{"url: http://x\navailability:\n  - {series: a, series_label: instance, query: up}\n", "line 3: availability[0]: needs series (one series) or series_label (one series per value of the label), one of them"},
		{"url: http://x\navailability:\n  - {series_label: 'in-stance', query: up}\n", `line 3: availability[0].series_label: "in-stance" is not a label name`},
		{"url: http://x\navailability:\n  - {series: web}\n", "line 3: availability[0].query: is required: an expression whose values are 1 (up) or 0 (down)"},
		{"url: http://x\n" + ok + "  - {series: web, query: up}\n", `line 4: availability[1].series: "web" is already the series of availability[0]`},
		{"url: http://x\nevents:\n  - {series: api, good: ok_total}\n", "line 3: events[0].total: is required: the counter of all events"},
		{"url: http://x\nevents:\n  - {series: api, total: all_total}\n", "line 3: events[0]: needs good or bad (one of them) beside total"},
		{"url: http://x\nevents:\n  - {series: api, good: a, bad: b, total: all_total}\n", "line 3: events[0]: needs good or bad (one of them) beside total"},
		{"url: http://x\nevents:\n  - series: api\n    good: 'sum(rate(ok_total[5m]))'\n    total: all_total\n",
			`line 4: events[0].good: "sum(rate(ok_total[5m]))" is not a series selector (a counter's name with optional {matchers}): the source reads the raw samples of the counters and counts their increases itself`},
		{"url: http://x\nhttp_client_config: {authorization: {credentials: s3cr3t, credentials_file: /x}}\n" + ok,
			"line 2: http_client_config: at most one of authorization credentials & credentials_file must be configured"},
		{"url: http://x\nhttp_client_config: {proxy_url: 'http://u:s3cr3tpw@proxy:3128', proxy_from_environment: true}\n" + ok,
			"line 2: http_client_config: if proxy_from_environment is configured, proxy_url must not be configured"},
		{"url: http://x\nhttp_client_config: {proxy_url: 'http://u:s3cr3tpw@pro xy:80'}\n" + ok,
			`line 2: http_client_config.proxy_url: parse "<secret>": invalid character " " in host name`},
	} {
		n := blockRaw(t, tc.body)
		_, err := New(n, collector.Options{Name: "prom"})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got: %v\nwant: %s", tc.body, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%q: the error shows a secret: %v", tc.body, err)
		}
	}
}

// TestConfigDefaults: the settings a minimal block gets.
func TestConfigDefaults(t *testing.T) {
	src, err := NewFromConfig(Config{URL: "http://prom:9090/", HTTPClientConfig: config.DefaultHTTPClientConfig,
		Availability: []AvailabilityConfig{{Series: "web", Query: "probe_success"}}}, collector.Options{Name: "prom"})
	if err != nil {
		t.Fatal(err)
	}
	s := src.s
	if s.step != time.Minute || s.res != 15*time.Second || s.overlap != 2*time.Minute || s.timeout != 30*time.Second ||
		s.lookback != 0 || s.chunkSteps != 2500 || s.backfill.periods != 2 || s.base.String() != "http://prom:9090/" {
		t.Errorf("settings %+v", s)
	}
	// Step shorter than 15s: resolution defaults to it.
	src, err = NewFromConfig(Config{URL: "http://prom:9090", Step: 10_000_000_000, Availability: []AvailabilityConfig{{Series: "web", Query: "up"}}}, collector.Options{})
	if err != nil || src.s.res != 10*time.Second || src.s.chunkSteps != 10000 {
		t.Errorf("step 10s: %v %+v", err, src)
	}
	// Errors of a Config made in code name the key without a line.
	_, err = NewFromConfig(Config{URL: "http://prom:9090", Availability: []AvailabilityConfig{{Query: "up"}}}, collector.Options{})
	if want := "availability[0]: needs series (one series) or series_label (one series per value of the label), one of them"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	_, err = NewFromConfig(Config{Availability: []AvailabilityConfig{{Series: "a", Query: "up"}}}, collector.Options{})
	if want := "url: is required (the API's base URL)"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// TestBackfillStart: where the first sync starts for each kind of backfill.
func TestBackfillStart(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, rome)
	for _, tc := range []struct {
		cfg  Config
		want time.Time
	}{
		// The current and previous month in Rome: from 1 October 00:00 CEST (UTC+2).
		{Config{Timezone: "Europe/Rome"}, time.Date(2026, 9, 30, 22, 0, 0, 0, time.UTC)},
		// In UTC: 1 October 00:00 UTC.
		{Config{}, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)},
		// One period: 1 November 00:00 CET (UTC+1).
		{Config{Timezone: "Europe/Rome", Backfill: "1 period"}, time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC)},
		// Weeks: Monday 2 November 00:00 CET, and the week before.
		{Config{Timezone: "Europe/Rome", Backfill: "2 periods", Period: "week"}, time.Date(2026, 10, 25, 23, 0, 0, 0, time.UTC)},
		// A duration: 36h before now (11:00 UTC).
		{Config{Backfill: "36h"}, time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC)},
	} {
		tc.cfg.URL = "http://prom:9090"
		tc.cfg.Availability = []AvailabilityConfig{{Series: "web", Query: "up"}}
		src, err := NewFromConfig(tc.cfg, collector.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := src.s.floor(src.s.backfill.start(now)); !got.Equal(tc.want) {
			t.Errorf("%+v: starts at %v, want %v", tc.cfg, got, tc.want)
		}
	}
}
