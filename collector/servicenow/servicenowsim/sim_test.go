package servicenowsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestQuery_ORBindsToTheConditionBefore(t *testing.T) {
	rows := []record{
		{"sys_id": "a1", "sys_updated_on": "2026-03-02 10:00:00"},
		{"sys_id": "b2", "sys_updated_on": "2026-03-02 10:00:00"},
		{"sys_id": "a0", "sys_updated_on": "2026-03-02 10:00:01"},
		{"sys_id": "c3", "sys_updated_on": "2026-03-02 09:59:59"},
	}
	tbl := &table{columns: []string{"sys_id", "sys_updated_on"}}
	sel := func(q string) []string {
		t.Helper()
		qq, err := parseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			get := func(f string) (string, bool) { return r[f], tbl.has(f) }
			if qq.matches(get, false) {
				out = append(out, r["sys_id"])
			}
		}
		return out
	}
	// updated >= 10:00:00 AND (updated > 10:00:00 OR sys_id > a1): b2 of the same second, and a0
	// of the next despite its smaller sys_id.
	if diff := cmp.Diff([]string{"b2", "a0"}, sel("sys_updated_on>=2026-03-02 10:00:00^sys_updated_on>2026-03-02 10:00:00^ORsys_id>a1")); diff != "" {
		t.Errorf("keyset (-want +got):\n%s", diff)
	}
	// The same cursor written as (updated > T OR updated = T) AND sys_id > a1 loses a0.
	if diff := cmp.Diff([]string{"b2"}, sel("sys_updated_on>2026-03-02 10:00:00^ORsys_updated_on=2026-03-02 10:00:00^sys_id>a1")); diff != "" {
		t.Errorf("the naive form (-want +got):\n%s", diff)
	}
	// A condition on a field the table has not is left out; ^EQ ends the query.
	if diff := cmp.Diff([]string{"a1", "b2", "a0", "c3"}, sel("u_nosuchfield=1^EQ^sys_id=a1")); diff != "" {
		t.Errorf("invalid field (-want +got):\n%s", diff)
	}
	if _, err := parseQuery("sys_id=a^NQsys_id=b"); err == nil {
		t.Error("^NQ parsed")
	}
}

func TestSchedule(t *testing.T) {
	// Monday to Friday 08:00-18:00 UTC, Friday 2026-04-03 closed (Good Friday).
	s := Weekdays("office", time.UTC, "08:00", "18:00", "2026-04-03")
	at := func(v string) time.Time {
		t, err := time.Parse("2006-01-02 15:04", v)
		if err != nil {
			panic(err)
		}
		return t
	}
	tests := []struct {
		from, to string
		work     time.Duration
	}{
		// Mon 17:00 - Tue 09:00: Mon 17-18 (1h) + Tue 08-09 (1h) = 2h.
		{"2026-03-02 17:00", "2026-03-03 09:00", 2 * time.Hour},
		// Fri 16:00 - Mon 10:00: Fri 2h + Mon 2h = 4h, the weekend closed.
		{"2026-03-06 16:00", "2026-03-09 10:00", 4 * time.Hour},
		// Thu 2026-04-02 17:00 - Mon 04-06 09:00: Thu 1h, Good Friday closed, Mon 1h.
		{"2026-04-02 17:00", "2026-04-06 09:00", 2 * time.Hour},
		// Sunday to Sunday: nothing.
		{"2026-03-08 10:00", "2026-03-08 20:00", 0},
	}
	for _, tt := range tests {
		if got := s.Work(at(tt.from), at(tt.to)); got != tt.work {
			t.Errorf("Work(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.work)
		}
		if tt.work > 0 {
			// Add lands on the working instant the work ends at, which is tt.to here.
			if got := s.Add(at(tt.from), tt.work); !got.Equal(at(tt.to)) {
				t.Errorf("Add(%s, %v) = %v, want %s", tt.from, tt.work, got, tt.to)
			}
		}
	}
	// 10h from Mon 08:00 uses up Monday: the deadline is its close, 18:00, not Tuesday 08:00.
	if got := s.Add(at("2026-03-02 08:00"), 10*time.Hour); !got.Equal(at("2026-03-02 18:00")) {
		t.Errorf("Add to a day's end = %v", got)
	}
	var always *Schedule
	if got := always.Add(at("2026-03-07 23:00"), 2*time.Hour); !got.Equal(at("2026-03-08 01:00")) {
		t.Errorf("24x7 Add = %v", got)
	}
}

// TestSLAEngine walks one incident through its resolution SLA (P2, 8 business hours on
// 08:00-18:00, paused On Hold) and a response SLA (P2, 1 hour, 24x7), checking what ServiceNow
// would store at each step.
func TestSLAEngine(t *testing.T) {
	clk := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // Monday
	now := func() time.Time { return clk }
	s := New(Options{User: "u", Password: "p", Now: now})
	defer s.Close()
	office := Weekdays("office", time.UTC, "08:00", "18:00")
	s.AddSLA(SLADefinition{Name: "P2 resolution", Target: "resolution", Table: "incident", Priority: "2", Duration: 8 * time.Hour,
		Schedule: office, PauseOnHold: true})
	s.AddSLA(SLADefinition{Name: "P2 response", Target: "response", Table: "incident", Priority: "2", Duration: time.Hour})
	s.AddSLA(SLADefinition{Name: "P1 resolution", Target: "resolution", Table: "incident", Priority: "1", Duration: 4 * time.Hour})

	n := s.Create("incident", Fields{"priority": "2"})
	d := func(v string) time.Time {
		t, _ := time.Parse("2006-01-02 15:04", v)
		return t
	}
	// Mon 09:00 + 8h business = Mon 17:00.
	want := []TaskSLA{
		{Name: "P2 resolution", Target: "resolution", Stage: "in_progress", Start: d("2026-03-02 09:00"), PlannedEnd: d("2026-03-02 17:00")},
		{Name: "P2 response", Target: "response", Stage: "in_progress", Start: d("2026-03-02 09:00"), PlannedEnd: d("2026-03-02 10:00")},
	}
	check := func(step string) {
		t.Helper()
		if diff := cmp.Diff(want, s.TaskSLAs(n)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", step, diff)
		}
	}
	check("attached")

	// Mon 09:30 In Progress: the response completes, met, 30 min elapsed.
	clk = d("2026-03-02 09:30")
	s.Update(n, Fields{"state": "2"})
	want[1].Stage, want[1].End, want[1].BusinessElapsed = "completed", clk, 30*time.Minute
	check("responded")

	// Mon 11:00 On Hold, Tue 10:00 back: paused Mon 11-18 (7h) + Tue 08-10 (2h) = 9h of
	// business time, so the breach time is Mon 09:00 + (8h + 9h) of business time: Mon 09-18
	// (9h) + Tue 08-16 (8h) = Tue 16:00 (2h done before the pause, 6h left from Tue 10:00).
	clk = d("2026-03-02 11:00")
	s.Update(n, Fields{"state": "3", "hold_reason": "1"})
	want[0].Stage, want[0].BusinessElapsed = "paused", 2*time.Hour
	check("paused")
	clk = d("2026-03-03 10:00")
	s.Update(n, Fields{"state": "2"})
	want[0].Stage, want[0].PlannedEnd = "in_progress", d("2026-03-03 16:00")
	check("resumed")

	// Tue 17:30, nothing happened: the breach timer ran at 16:00, and the elapsed fields are
	// those of 16:00, when the engine last touched the record: Mon 09-11 (2h) + Tue 10-16
	// (6h) = 8h, the target. They are not live: at 17:30 they still say 8h.
	clk = d("2026-03-03 17:30")
	want[0].HasBreached, want[0].BusinessElapsed = true, 8*time.Hour
	check("breached")

	// Resolved Wed 09:00: completed, breached; reopened Wed 10:00: a new SLA from 10:00, due
	// Wed 18:00.
	clk = d("2026-03-04 09:00")
	s.Update(n, Fields{"state": "6"})
	want[0].Stage, want[0].End, want[0].BusinessElapsed = "completed", clk, 11*time.Hour // Mon 09-11 2h + Tue 10-18 8h + Wed 08-09 1h
	check("resolved")
	clk = d("2026-03-04 10:00")
	s.Update(n, Fields{"state": "2"})
	want = append(want, TaskSLA{Name: "P2 resolution", Target: "resolution", Stage: "in_progress", Start: clk, PlannedEnd: d("2026-03-04 18:00")})
	check("reopened")
	if got := s.Task(n)["reopen_count"]; got != "1" {
		t.Errorf("reopen_count = %s, want 1", got)
	}

	// Raised to P1 Wed 11:00: the P2 SLA is cancelled (its start condition no longer matches)
	// and the P1 one attaches, due 4h later (24x7).
	clk = d("2026-03-04 11:00")
	s.Update(n, Fields{"priority": "1"})
	want[2].Stage, want[2].End, want[2].BusinessElapsed = "cancelled", clk, time.Hour
	want = append(want, TaskSLA{Name: "P1 resolution", Target: "resolution", Stage: "in_progress", Start: clk, PlannedEnd: d("2026-03-04 15:00")})
	check("reprioritized")
}

func TestListing(t *testing.T) {
	s := New(Options{User: "u", Password: "p"})
	defer s.Close()
	g := s.AddGroup("Network")
	for range 5 {
		s.Create("incident", Fields{"assignment_group": g})
	}
	s.Hide("INC0010002", true)
	get := func(q url.Values) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/now/table/incident?"+q.Encode(), nil)
		req.SetBasicAuth("u", "p")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var body map[string]any
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return resp, body
	}
	resp, body := get(url.Values{"sysparm_query": {"ORDERBYnumber"}, "sysparm_limit": {"2"}, "sysparm_fields": {"number,assignment_group,assignment_group.name,nosuch"}})
	// The first page holds INC0010001 and INC0010002, which an ACL hides: one row, and a next link.
	rows := body["result"].([]any)
	if len(rows) != 1 || resp.Header.Get("X-Total-Count") != "5" || !strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
		t.Errorf("page: %v, total %s, link %s", rows, resp.Header.Get("X-Total-Count"), resp.Header.Get("Link"))
	}
	r := rows[0].(map[string]any)
	ref, _ := r["assignment_group"].(map[string]any)
	if r["number"] != "INC0010001" || r["assignment_group.name"] != "Network" || ref["value"] != g || r["nosuch"] != nil {
		t.Errorf("row %v", r)
	}
	// The last page has no next link.
	resp, _ = get(url.Values{"sysparm_query": {"ORDERBYnumber"}, "sysparm_limit": {"2"}, "sysparm_offset": {"4"}})
	if strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
		t.Errorf("last page's link %s", resp.Header.Get("Link"))
	}
}

func TestRateLimitAndAuth(t *testing.T) {
	clk := time.Date(2026, 3, 2, 9, 59, 30, 0, time.UTC)
	s := New(Options{User: "u", Password: "p", RateLimit: 2, Now: func() time.Time { return clk }})
	defer s.Close()
	do := func(pass string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/now/table/incident", nil)
		req.SetBasicAuth("u", pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp
	}
	if r := do("wrong"); r.StatusCode != 401 {
		t.Errorf("bad password: %d", r.StatusCode)
	}
	for i := range 2 {
		if r := do("p"); r.StatusCode != 200 || r.Header.Get("X-RateLimit-Limit") != "2" {
			t.Errorf("request %d: %d %v", i, r.StatusCode, r.Header)
		}
	}
	// The third in the hour: 429, Retry-After the 30 s to 10:00.
	r := do("p")
	if r.StatusCode != 429 || r.Header.Get("Retry-After") != "30" || r.Header.Get("X-RateLimit-Reset") != "1772445600" {
		t.Errorf("over the limit: %d %v", r.StatusCode, r.Header)
	}
	clk = clk.Add(time.Minute)
	if r := do("p"); r.StatusCode != 200 {
		t.Errorf("next hour: %d", r.StatusCode)
	}
}
