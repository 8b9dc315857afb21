package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

const nativeConfig = `
global: {timezone: UTC}
sources:
  - {name: jsm, type: demo}
objectives:
  - {name: resolve, service: desk, kind: ticket, source: jsm, clock: resolution, targets: {P1: 4h}, target: 0.9}
  - {name: respond, service: desk, kind: ticket, source: jsm, clock: response, targets: {P1: 1h}, target: 0.9}
`

// newNativeServer serves two tickets of a 24x7 desk with 4h to resolve P1, at evalAt (11-15
// 12:00), with the tool's records of their resolution cycles.
func newNativeServer(t *testing.T) *testServer {
	t.Helper()
	cfg, err := config.Load([]byte(nativeConfig), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := emptyData(true, "jsm")
	at := func(h int) time.Time { return time.Date(2026, 11, 15, h, 0, 0, 0, time.UTC) }
	for _, tk := range []ticket.Ticket{
		// Open since 06:00: 4h reached at 10:00, breached; the tool agrees.
		{ID: "A", Priority: "P1", Created: at(6), History: []ticket.StatusChange{{At: at(6), Status: "Open", Category: ticket.Open}},
			Native: []ticket.NativeSLA{{Name: "TTR", Clock: "resolution", Start: at(6), Deadline: at(10), Breached: true}}},
		// Open since 10:00: 2h of 4h. The tool's deadline, 11:00, has passed: it breached.
		{ID: "B", Priority: "P1", Created: at(10), History: []ticket.StatusChange{{At: at(10), Status: "Open", Category: ticket.Open}},
			Native: []ticket.NativeSLA{{Name: "TTR", Clock: "resolution", Start: at(10), Deadline: at(11)}}},
	} {
		if err := d.Tickets["jsm"].Add(&tk); err != nil {
			t.Fatal(err)
		}
	}
	s := newTestServer(t, cfg, fakeReader{data: d}, nil)
	s.eval.Publish()
	return s
}

func TestTicketsNative(t *testing.T) {
	s := newNativeServer(t)
	_, body := s.get(t, "/api/v1/objectives/resolve/tickets?native=disagrees")
	var j ticketsJSON
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		t.Fatal(err)
	}
	eleven := time.Date(2026, 11, 15, 11, 0, 0, 0, time.UTC)
	ten := time.Date(2026, 11, 15, 10, 0, 0, 0, time.UTC)
	want := []evaluation.NativeRow{{Name: "TTR", Start: &ten, Deadline: &eleven, Verdict: "breached", Comparison: "verdict"}}
	if len(j.Cycles) != 1 || j.Cycles[0].Ticket != "B" || j.Cycles[0].State != "in_progress" {
		t.Fatalf("disagreeing cycles: %+v", j.Cycles)
	}
	if diff := cmp.Diff(want, j.Cycles[0].Native); diff != "" {
		t.Errorf("B's native records (-want +got):\n%s", diff)
	}

	resp, body := s.get(t, "/api/v1/objectives/resolve/tickets?native=agrees&format=csv")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CSV: %d %s", resp.StatusCode, body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(csvHeader, rows[0]); diff != "" {
		t.Errorf("CSV header (-want +got):\n%s", diff)
	}
	if len(rows) != 2 {
		t.Fatalf("agreeing rows: %q", rows[1:])
	}
	if got, want := rows[1][15:], []string{"TTR", "", "2026-11-15T10:00:00Z", "breached", "agree"}; rows[1][0] != "A" || !cmp.Equal(got, want) {
		t.Errorf("A's native columns %q, want %q", got, want)
	}

	resp, page := s.get(t, "/objectives/resolve/tickets?native=disagrees")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	for _, want := range []string{`<select id="native" name="native">`, `<option value="disagrees" selected>`, "verdicts differ",
		`href="/api/v1/objectives/resolve/tickets?format=csv&amp;native=disagrees"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// An objective whose tickets carry no record of its clock shows no comparison.
	if _, page := s.get(t, "/objectives/respond/tickets"); strings.Contains(page, `name="native"`) || strings.Contains(page, "The tool's SLA") {
		t.Error("the response objective's page offers a comparison")
	}
	for _, tc := range []struct{ query, want string }{
		{"native=yes", `native "yes" is not one of agrees, disagrees`},
		{"native=agrees&period=previous", "native: only the current period is compared with the ticket tool's records"},
	} {
		resp, body := s.get(t, "/api/v1/objectives/resolve/tickets?"+tc.query)
		if resp.StatusCode != http.StatusBadRequest || strings.TrimSpace(body) != tc.want {
			t.Errorf("?%s: %d %q, want 400 %q", tc.query, resp.StatusCode, body, tc.want)
		}
	}
}
