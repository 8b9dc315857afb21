package redmine

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// recordedIssue returns an issue as the real Redmine answered it in the scenario's first sync.
func recordedIssue(t testing.TB, id int) (issue, statusSet) {
	t.Helper()
	var is issue
	var statuses statusSet
	for _, ex := range readRecording(t, "sync1") {
		switch ex.Request {
		case fmt.Sprintf("GET /issues/%d.json?include=journals", id):
			var doc issueDoc
			if err := json.Unmarshal(ex.Body, &doc); err != nil {
				t.Fatal(err)
			}
			var rj *rejection
			if is, rj = decodeIssue(doc.Issue); rj != nil {
				t.Fatal(rj.reason)
			}
		case "GET /issue_statuses.json":
			var err error
			if statuses, err = decodeStatuses(ex.Body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if is.ID != id || statuses == nil {
		t.Fatalf("issue %d or the statuses are not in the recording", id)
	}
	return is, statuses
}

// TestFirstResponseRules maps the recorded issue B under each first-response rule. Its journals:
// carol's note Mon 16:10 (the author's), alice's private note 16:30, alice's change to In
// Progress 17:30 (no note), alice's note Tue 09:15, alice's change to Rejected Tue 11:00.
func TestFirstResponseRules(t *testing.T) {
	is, statuses := recordedIssue(t, 2)
	for _, tc := range []struct {
		rule string
		want string // RFC 3339, "" for none
	}{
		{"", "2026-03-03T09:15:00Z"}, // the default: notes by another user, public
		{"first_response: {statuses: [In Progress]}", "2026-03-02T17:30:00Z"},
		{"first_response: {notes: false, statuses: [in progress]}", "2026-03-02T17:30:00Z"},
		{"first_response: {statuses: [Feedback]}", "2026-03-03T09:15:00Z"}, // never Feedback
		{"first_response: {notes: false, statuses: [Feedback]}", ""},
	} {
		p, err := decodeBlock(t, "url: https://r.example.com\nprojects: [support]\n"+tc.rule)
		if err != nil {
			t.Fatal(err)
		}
		tk, rj := p.mapIssue(&is, statuses)
		if rj != nil {
			t.Fatal(rj.reason)
		}
		got := ""
		if !tk.FirstResponse.IsZero() {
			got = tk.FirstResponse.UTC().Format("2006-01-02T15:04:05Z")
		}
		if got != tc.want {
			t.Errorf("%q: first response %q, want %q", tc.rule, got, tc.want)
		}
	}
}

// issueJSON builds an issue as Redmine writes it: created Mon 09:00 by carol (6), status New
// unless status is given (id:name:closed), with the journals given (JSON objects).
func issueJSON(status string, extra string, journals ...string) string {
	if status == "" {
		status = `{"id":1,"name":"New","is_closed":false}`
	}
	j := "[" + strings.Join(journals, ",") + "]"
	if len(journals) == 1 && journals[0] == "absent" {
		return fmt.Sprintf(`{"id":12,"project":{"id":1,"name":"Support desk"},"tracker":{"id":3,"name":"Support"},"status":%s,
			"priority":{"id":2,"name":"Normal"},"author":{"id":6,"name":"Carol Customer"},"created_on":"2026-03-02T09:00:00Z",
			"updated_on":"2026-03-03T09:00:00Z"%s}`, status, extra)
	}
	return fmt.Sprintf(`{"id":12,"project":{"id":1,"name":"Support desk"},"tracker":{"id":3,"name":"Support"},"status":%s,
		"priority":{"id":2,"name":"Normal"},"author":{"id":6,"name":"Carol Customer"},"created_on":"2026-03-02T09:00:00Z",
		"updated_on":"2026-03-03T09:00:00Z"%s,"journals":%s}`, status, extra, j)
}

// journalJSON is a journal by user at a time of Monday (hh:mm), with notes and status change
// old→new ("" for none).
func journalJSON(id, user int, hhmm, notes, from, to string) string {
	details := "[]"
	if to != "" {
		old := "null"
		if from != "" {
			old = `"` + from + `"`
		}
		details = fmt.Sprintf(`[{"property":"attr","name":"status_id","old_value":%s,"new_value":"%s"}]`, old, to)
	}
	return fmt.Sprintf(`{"id":%d,"user":{"id":%d,"name":"u%d"},"notes":%q,"created_on":"2026-03-02T%s:00Z","private_notes":false,"details":%s}`,
		id, user, user, notes, hhmm, details)
}

// TestMapIssue maps hand-written issues: the history, the first response, the fields, and each
// reason an issue is rejected.
func TestMapIssue(t *testing.T) {
	statuses := statusSet{1: {1, "New", false}, 2: {2, "In Progress", false}, 3: {3, "Resolved", false},
		4: {4, "Feedback", false}, 5: {5, "Closed", true}, 6: {6, "Rejected", true}, 7: {7, "Awaiting", false}}
	const cfg = "url: https://r.example.com\nprojects: [support]\n"
	closed := `{"id":5,"name":"Closed","is_closed":true}`
	at := func(hhmm string) string { return "2026-03-02T" + hhmm + ":00Z" }
	type hist []string // "hh:mm Status"
	for _, tc := range []struct {
		name, config, issue string
		history             hist
		response            string // hh:mm, "" for none
		typ, group          string
		fields              map[string]string
		reject              string
	}{
		{name: "created closed, never changed", issue: issueJSON(closed, ""),
			history: hist{"09:00 Closed"}, typ: "Support", group: "Support desk"},
		{name: "journals out of order are put in time order", issue: issueJSON(closed, "",
			journalJSON(2, 5, "11:00", "", "2", "5"), journalJSON(1, 5, "10:00", "on it", "1", "2")),
			history: hist{"09:00 New", "10:00 In Progress", "11:00 Closed"}, response: "10:00", typ: "Support", group: "Support desk"},
		{name: "the author's notes are no response", issue: issueJSON(closed, "",
			journalJSON(1, 6, "09:10", "more details", "", ""), journalJSON(2, 5, "09:40", "", "1", "5")),
			history: hist{"09:00 New", "09:40 Closed"}, typ: "Support", group: "Support desk"},
		{name: "a status change not journaled: closed at closed_on", issue: issueJSON(closed, `,"closed_on":"2026-03-02T12:00:00Z"`,
			journalJSON(1, 5, "10:00", "", "1", "2")),
			history: hist{"09:00 New", "10:00 In Progress", "12:00 Closed"}, typ: "Support", group: "Support desk"},
		{name: "a status change not journaled, not closed", issue: issueJSON(`{"id":4,"name":"Feedback","is_closed":false}`, "",
			journalJSON(1, 5, "10:00", "", "1", "2")),
			reject: `the journals end in status "In Progress", but the issue is "Feedback": a status change was not journaled, so its time is unknown`},
		{name: "no journals", issue: issueJSON("", "", "absent"), reject: "no journals in Redmine's answer, so no status history"},
		{name: "bad created_on", issue: strings.Replace(issueJSON("", ""), `"created_on":"2026-03-02T09:00:00Z"`, `"created_on":"02.03.2026 09:00"`, 1),
			reject: `created_on "02.03.2026 09:00" is not an RFC 3339 time`},
		{name: "bad journal time", issue: strings.Replace(issueJSON("", "", journalJSON(3, 5, "10:00", "x", "", "")), at("10:00"), "later", 1),
			reject: `journal #3: created_on "later" is not an RFC 3339 time`},
		{name: "a journal before creation", issue: issueJSON(`{"id":2,"name":"In Progress","is_closed":false}`, "",
			journalJSON(1, 5, "08:00", "", "1", "2")),
			reject: "status In Progress at 2026-03-02T08:00:00Z is before creation 2026-03-02T09:00:00Z"},
		{name: "a status id that is not a number", issue: issueJSON("", "", journalJSON(1, 5, "10:00", "", "1", "x")),
			reject: `journal #1: status id "x" is not a number`},
		{name: "a first change without its old status", issue: issueJSON(`{"id":2,"name":"In Progress","is_closed":false}`, "",
			journalJSON(1, 5, "10:00", "", "", "2")),
			reject: "journal #1: the first status change does not say the status it left, so the status at creation is unknown"},
		{name: "a status not mapped", issue: issueJSON(`{"id":7,"name":"Awaiting","is_closed":false}`, ""),
			reject: `status "Awaiting" has no category: list it under statuses, or set default_category (the category of statuses not listed)`},
		{name: "default_category maps it", config: "default_category: paused\n", issue: issueJSON(`{"id":7,"name":"Awaiting","is_closed":false}`, ""),
			history: hist{"09:00 Awaiting"}, typ: "Support", group: "Support desk"},
		{name: "custom statuses, case-insensitive", config: "statuses: {open: [new], paused: [AWAITING]}\n",
			issue:   issueJSON(`{"id":7,"name":"Awaiting","is_closed":false}`, "", journalJSON(1, 5, "10:00", "", "1", "7")),
			history: hist{"09:00 New", "10:00 Awaiting"}, typ: "Support", group: "Support desk"},
		{name: "fields from attributes and custom fields",
			config: "type: category\ngroup: custom_field:Team\nfields: {customer: custom_field:customer, sites: custom_field:Sites, who: assigned_to, version: fixed_version, empty: custom_field:Empty}\n",
			issue: issueJSON("", `,"assigned_to":{"id":5,"name":"Alice Agent"},"custom_fields":[{"id":1,"name":"Customer","value":"ACME"},
				{"id":2,"name":"Sites","multiple":true,"value":["Rome","","Milan"]},{"id":3,"name":"Empty","value":""},{"id":4,"name":"Team","value":"Network"}]`),
			history: hist{"09:00 New"}, typ: "", group: "Network",
			fields: map[string]string{"customer": "ACME", "sites": "Rome, Milan", "who": "Alice Agent"}},
		{name: "a custom field of another shape", config: "fields: {customer: custom_field:Customer}\n",
			issue:  issueJSON("", `,"custom_fields":[{"id":1,"name":"Customer","value":{"a":1}}]`),
			reject: `custom field "Customer": the value is not a string or a list of strings`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := decodeBlock(t, cfg+tc.config)
			if err != nil {
				t.Fatal(err)
			}
			is, rj := decodeIssue(json.RawMessage(tc.issue))
			if rj != nil {
				t.Fatalf("decode: %s", rj.reason)
			}
			tk, rj := p.mapIssue(&is, statuses)
			if tc.reject != "" {
				if rj == nil || rj.reason != tc.reject {
					t.Errorf("rejection %v, want %q", rj, tc.reject)
				}
				return
			}
			if rj != nil {
				t.Fatalf("rejected: %s", rj.reason)
			}
			var got hist
			for _, h := range tk.History {
				got = append(got, h.At.UTC().Format("15:04")+" "+h.Status)
			}
			if diff := cmp.Diff(tc.history, got); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
			resp := ""
			if !tk.FirstResponse.IsZero() {
				resp = tk.FirstResponse.UTC().Format("15:04")
			}
			if resp != tc.response {
				t.Errorf("first response %q, want %q", resp, tc.response)
			}
			if tk.ID != "12" || tk.Priority != "Normal" || tk.Type != tc.typ || tk.Group != tc.group {
				t.Errorf("id %s, priority %s, type %q, group %q; want 12, Normal, %q, %q", tk.ID, tk.Priority, tk.Type, tk.Group, tc.typ, tc.group)
			}
			if diff := cmp.Diff(tc.fields, tk.Fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMapCategories checks the categories a mapped history carries, and that the rejection of an
// unmapped status names the setting to change.
func TestMapCategories(t *testing.T) {
	is, statuses := recordedIssue(t, 1)
	p, err := decodeBlock(t, "url: https://r.example.com\nprojects: [support]\nstatuses: {open: [New, In Progress], resolved: [Resolved], closed: [Closed]}\n")
	if err != nil {
		t.Fatal(err)
	}
	_, rj := p.mapIssue(&is, statuses)
	want := &rejection{
		reason:  `status "Feedback" has no category: list it under statuses, or set default_category (the category of statuses not listed)`,
		rule:    `status "Feedback" is not listed under statuses`,
		setting: "redmine.statuses",
	}
	if diff := cmp.Diff(want, rj, cmp.AllowUnexported(rejection{})); diff != "" {
		t.Errorf("rejection (-want +got):\n%s", diff)
	}
	p, err = decodeBlock(t, "url: https://r.example.com\nprojects: [support]\nstatuses: {open: [New, In Progress, Feedback], closed: [Resolved, Closed]}\n")
	if err != nil {
		t.Fatal(err)
	}
	tk, rj := p.mapIssue(&is, statuses)
	if rj != nil {
		t.Fatal(rj.reason)
	}
	var cats []ticket.Category
	for _, h := range tk.History {
		cats = append(cats, h.Category)
	}
	// New, In Progress, Feedback (open here), Resolved (closed here), In Progress, Closed.
	want2 := []ticket.Category{ticket.Open, ticket.Open, ticket.Open, ticket.Closed, ticket.Open, ticket.Closed}
	if diff := cmp.Diff(want2, cats); diff != "" {
		t.Errorf("categories (-want +got):\n%s", diff)
	}
}
