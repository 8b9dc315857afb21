package apisource

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

func TestPick(t *testing.T) {
	items := []Listed{{ID: "a1", Name: "API"}, {ID: "w1", Name: "Web"}, {ID: "e1", Name: "API"}, {ID: "g1", Name: "Git"}}
	tests := []struct {
		name       string
		selectors  []string
		items      []Listed
		wantSeries []string
		wantIndex  []int
		wantErr    string
	}{
		{name: "all by name", items: items[1:], wantSeries: []string{"Web", "API", "Git"}, wantIndex: []int{0, 1, 2}},
		{name: "all with a name twice", items: items,
			wantErr: `two components are named "API" (ids a1 and e1): list the ones to read by id, each a series named by its id`},
		{name: "by name and by id, named as written", selectors: []string{"Web", "e1"}, items: items,
			wantSeries: []string{"Web", "e1"}, wantIndex: []int{1, 2}},
		{name: "an ambiguous name", selectors: []string{"API"}, items: items,
			wantErr: `component "API" names 2 components (ids a1, e1): select one by its id`},
		{name: "a vanished one", selectors: []string{"Web", "Payments"}, items: items,
			wantErr: `component "Payments" is not listed (gone, renamed, or not public?); the listing has "API", "API", "Git", "Web"`},
		{name: "an empty listing", selectors: []string{"Web"},
			wantErr: `component "Web" is not listed (gone, renamed, or not public?); the listing has none`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			series, index, err := Pick("component", tt.selectors, tt.items)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v\nwant %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantSeries, series); diff != "" {
				t.Errorf("series (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantIndex, index); diff != "" {
				t.Errorf("index (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPick_ListsAtMostTwentyNames(t *testing.T) {
	var items []Listed
	for i := range 25 {
		items = append(items, Listed{ID: fmt.Sprint(i), Name: fmt.Sprintf("c%02d", i)})
	}
	_, _, err := Pick("monitor", []string{"x"}, items)
	const want = `monitor "x" is not listed (gone, renamed, or not public?); the listing has "c00", "c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08", "c09", "c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18", "c19" and 5 more`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

func TestCheckSelectors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"components: [API, Web]\n", ""},
		{"components:\n  - API\n  - \" \"\n", "line 3: components: entry 2 is empty"},
		{"components:\n  - API\n  - Web\n  - API\n", `line 4: components: "API" is listed twice`},
	}
	for _, tt := range tests {
		n := nodeOf(t, tt.doc)
		var cfg struct {
			Components []string `yaml:"components"`
		}
		if err := n.Decode(&cfg); err != nil {
			t.Fatal(err)
		}
		err := CheckSelectors(n, "components", cfg.Components)
		if got := fmt.Sprint(err); (tt.want == "" && err != nil) || (tt.want != "" && got != tt.want) {
			t.Errorf("%q: error %v, want %q", tt.doc, err, tt.want)
		}
	}
}

func TestSyncError(t *testing.T) {
	s := &Settings{Kind: "statuspage", Name: "vendor"}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	limited := &StopError{Reason: "rate limited until 2026-03-02T09:02:00Z", RetryAt: now.Add(2 * time.Minute), Err: errors.New("GET /api/v2/incidents.json: HTTP 429 Too Many Requests")}

	err := s.SyncError(context.Background(), now, limited)
	ra, ok := errors.AsType[*collector.RetryAfterError](err)
	if !ok || ra.After != 2*time.Minute {
		t.Fatalf("error %v, want a RetryAfterError of 2m", err)
	}
	const want = `statuspage source "vendor": rate limited until 2026-03-02T09:02:00Z: GET /api/v2/incidents.json: HTTP 429 Too Many Requests (server asked to retry after 2m0s)`
	if err.Error() != want {
		t.Errorf("error %q\nwant %q", err, want)
	}

	capped := s.SyncError(context.Background(), now, &StopError{Reason: "max_requests_per_sync (10) reached", More: true})
	if _, ok := errors.AsType[*collector.RetryAfterError](capped); ok || capped.Error() != `statuspage source "vendor": max_requests_per_sync (10) reached` {
		t.Errorf("a cap: %v", capped)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.SyncError(ctx, now, errors.New("GET /x: reading")); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled sync's error %v does not wrap context.Canceled", err)
	}
}

// nodeOf parses a block as a kind's New receives it.
func nodeOf(t *testing.T, doc string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}
