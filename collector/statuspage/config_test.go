package statuspage

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
)

func TestConfigErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"components: [API]\n", "line 1: url: is required (the API's base URL)"},
		{"url: https://www.githubstatus.com\npage_size: 10\n", "line 2: page_size: unknown field (known: url, http_client_config, rate_limit, request_timeout, components, statuses)"},
		{"url: https://www.githubstatus.com/api/v2\n", "line 1: url: is a document of the API: give the page's address (https://www.githubstatus.com), the source adds /api/v2/..."},
		{"url: https://www.githubstatus.com/api/v2/summary.json\n", "line 1: url: is a document of the API: give the page's address (https://www.githubstatus.com), the source adds /api/v2/..."},
		{"url: https://www.githubstatus.com\nrate_limit: {requests: 2, per: 1s}\n", "line 2: rate_limit: 2 requests a second is above Statuspage's limit of 1 a second"},
		{"url: https://www.githubstatus.com\ncomponents: [API, Git Operations, API]\n", `line 2: components: "API" is listed twice`},
		{"url: https://www.githubstatus.com\nstatuses:\n  major_outage: broken\n", `line 3: statuses.major_outage: "broken" is not down, degraded, up or maintenance`},
		{"url: https://user:pw@www.githubstatus.com\n", "line 1: url: has user information, a query or a fragment: credentials go in http_client_config, and the base URL is only scheme://host/path"},
	}
	for _, tt := range tests {
		_, err := New(apitest.Node(t, tt.doc), collector.Options{Name: "vendor"})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.doc, err, tt.want)
		}
	}
	if _, err := New(nil, collector.Options{}); err == nil || err.Error() != "the statuspage source needs a `statuspage:` block with at least url (the page's address)" {
		t.Errorf("no block: %v", err)
	}
}

func TestConfigStatuses(t *testing.T) {
	s, err := compile(apitest.Node(t, "url: https://status.example.com\nstatuses: {partial_outage: down, under_maintenance: degraded, minor_outage: Degraded}\n"), collector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]effect{
		"operational": effUp, "degraded_performance": effDegraded, "partial_outage": effDown,
		"major_outage": effDown, "under_maintenance": effDegraded, "minor_outage": effDegraded,
	}
	if diff := cmp.Diff(want, s.statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if float64(s.api.Limit) != 1 || s.api.Burst != 1 {
		t.Errorf("default rate limit %v burst %d, want 1 a second, burst 1", s.api.Limit, s.api.Burst)
	}
}
