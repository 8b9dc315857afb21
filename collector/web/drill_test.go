package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/evaluation"
)

// TestTicketsCSVDownload: the CSV is an attachment named after the objective, period and state,
// its times in the objective's timezone (the demo's Europe/Rome), each the instant the JSON
// gives in UTC.
func TestTicketsCSVDownload(t *testing.T) {
	s := newDemoServer(t, nil)
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ query, filename string }{
		{"format=csv", "incident-response_2026-11.csv"},
		{"format=csv&state=breached", "incident-response_2026-11_breached.csv"},
		{"format=csv&period=previous", "incident-response_2026-10.csv"},
		{"format=csv&period=2026-09&state=met", "incident-response_2026-09_met.csv"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			target := "/api/v1/objectives/incident-response/tickets?" + tc.query
			resp, _ := s.get(t, target)
			if got, want := resp.Header.Get("Content-Disposition"), `attachment; filename="`+tc.filename+`"`; got != want {
				t.Errorf("Content-Disposition %q, want %q", got, want)
			}
			rows := getTicketsCSV(t, s, target, nil)
			_, body := s.get(t, strings.Replace(target, "format=csv", "format=json", 1))
			var j ticketsJSON
			if err := json.Unmarshal([]byte(body), &j); err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(j.Cycles) || len(rows) == 0 {
				t.Fatalf("%d CSV rows, %d JSON cycles", len(rows), len(j.Cycles))
			}
			for i, rec := range rows {
				c := j.Cycles[i]
				for col, want := range map[int]*time.Time{6: &c.Start, 7: c.Stop, 8: c.Deadline, 9: c.BreachedAt} {
					if want == nil {
						if rec[col] != "" {
							t.Errorf("row %d column %s: %q, want empty", i, csvHeader[col], rec[col])
						}
						continue
					}
					// The same instant, written as Rome's clocks read it with Rome's offset.
					if got := want.In(rome).Format(time.RFC3339); rec[col] != got {
						t.Errorf("row %d column %s: %q, want %q", i, csvHeader[col], rec[col], got)
					}
					if strings.HasSuffix(rec[col], "Z") {
						t.Errorf("row %d column %s: %q is in UTC", i, csvHeader[col], rec[col])
					}
				}
			}
		})
	}
}

// TestTicketsAPIPeriod: the JSON names the period listed; a finished period is as of its end.
func TestTicketsAPIPeriod(t *testing.T) {
	s := newDemoServer(t, nil)
	_, body := s.get(t, "/api/v1/objectives/incident-response/tickets?period=previous")
	var got struct {
		Timezone string     `json:"timezone"`
		Period   periodJSON `json:"period"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	// October in Rome: from 2026-09-30 22:00 UTC (CEST) to 2026-10-31 23:00 UTC (CET).
	want := periodJSON{Label: "2026-10", Start: time.Date(2026, 9, 30, 22, 0, 0, 0, time.UTC), End: time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC),
		AsOf: time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC)}
	if got.Period != want || got.Timezone != "Europe/Rome" {
		t.Errorf("period %+v in %s, want %+v in Europe/Rome", got.Period, got.Timezone, want)
	}
}

// TestTicketsPage is the drill-down for people: the rows of the API for the same filters, a
// form to change them, and the CSV a link away.
func TestTicketsPage(t *testing.T) {
	s := newDemoServer(t, nil)
	for _, q := range []string{"", "state=open", "period=2026-10&state=breached", "period=previous&state=met"} {
		t.Run(q, func(t *testing.T) {
			resp, body := s.get(t, "/objectives/incident-response/tickets?"+q)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			doc := parsePage(t, body)
			api := getTicketsJSON(t, s, "/api/v1/objectives/incident-response/tickets?"+q)
			rows := findAll(doc, hasAttr("data-ticket"))
			if len(rows) != len(api) {
				t.Fatalf("%d rows, API %d", len(rows), len(api))
			}
			for i, tr := range rows {
				if id, _ := attr(tr, "data-ticket"); id != api[i].Ticket {
					t.Errorf("row %d is %s, API %s", i, id, api[i].Ticket)
				}
			}
			// The form has a labelled control for each filter, and the CSV link keeps them.
			for _, id := range []string{"period", "state"} {
				one(t, doc, "label for "+id, withAttr("for", id))
				one(t, doc, "select "+id, withAttr("id", id))
			}
			csvLink := ""
			for _, h := range hrefs(doc) {
				if strings.HasPrefix(h, "/api/") {
					csvLink = h
				}
			}
			if !strings.Contains(csvLink, "format=csv") {
				t.Fatalf("no CSV link: %v", hrefs(doc))
			}
			if got := getTicketsCSV(t, s, csvLink, nil); len(got) != len(api) {
				t.Errorf("the CSV link %s has %d rows, the page %d", csvLink, len(got), len(api))
			}
		})
	}
}

func getTicketsJSON(t *testing.T, s *testServer, target string) []evaluation.CycleRow {
	t.Helper()
	resp, body := s.get(t, target)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", target, resp.StatusCode, body)
	}
	var j ticketsJSON
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		t.Fatal(err)
	}
	return j.Cycles
}

func TestCSVFilename(t *testing.T) {
	for _, tc := range []struct{ objective, period, state, want string }{
		{"incident-response", "2026-11", "", "incident-response_2026-11.csv"},
		{"api:v1", "rolling_30d", "open", "api_v1_rolling_30d_open.csv"},
		{`"; x=<script>`, "2026-11", "", "___x__script__2026-11.csv"},
	} {
		if got := csvFilename(tc.objective, tc.period, tc.state); got != tc.want {
			t.Errorf("csvFilename(%q, %q, %q) = %q, want %q", tc.objective, tc.period, tc.state, got, tc.want)
		}
	}
}

// TestPagesContentSecurityPolicy: every page allows its own inline style and script, by hash,
// and nothing else runs.
func TestPagesContentSecurityPolicy(t *testing.T) {
	s := newDemoServer(t, nil)
	inline := regexp.MustCompile(`(?s)<(style|script)>(.*?)</(?:style|script)>`)
	for _, target := range []string{"/", "/objectives/incident-response", "/objectives/incident-response/tickets", "/objectives/nosuch"} {
		resp, body := s.get(t, target)
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: CSP %q, nosniff %q", target, csp, resp.Header.Get("X-Content-Type-Options"))
		}
		found := inline.FindAllStringSubmatch(body, -1)
		if len(found) != 2 {
			t.Fatalf("%s: %d inline blocks, want a style and a script", target, len(found))
		}
		for _, m := range found {
			sum := sha256.Sum256([]byte(m[2]))
			if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, m[1]+"-src "+h) {
				t.Errorf("%s: the inline %s's hash %s is not allowed by %q", target, m[1], h, csp)
			}
		}
	}
	if resp, _ := s.do(t, http.MethodGet, "/api/v1/objectives", nil); resp.Header.Get("Content-Security-Policy") != "" {
		t.Error("the API carries the pages' CSP")
	}
}
