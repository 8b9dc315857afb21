package zendesk

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

func testPlan(t testing.TB, extra string) *plan {
	t.Helper()
	p, err := compile(apitest.Node(t, "url: https://acme.zendesk.com\nhttp_client_config: {basic_auth: {username: a@example.com/token, password_file: t}}\n"+extra), collector.Options{Name: "zd"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestText(t *testing.T) {
	for raw, want := range map[string]string{
		`"open"`: "open", `" VPN "`: "VPN", `360001`: "360001", `1.5`: "1.5", `true`: "true", `null`: "", ``: "",
		`["mac", "windows"]`: "mac, windows", `[1, null, "x"]`: "1, x", `{"a": 1}`: "", `"bad`: "",
	} {
		if got := text(json.RawMessage(raw)); got != want {
			t.Errorf("text(%s) = %q, want %q", raw, got, want)
		}
	}
}

// TestMapTicket_AuditsAndReplies: audits listed out of order are read in time order; a status
// dated before the creation is taken as the creation; the current status closes a history
// whose audits end elsewhere; the description is no reply; without the users sideload a
// public comment by someone other than the requester is.
func TestMapTicket_AuditsAndReplies(t *testing.T) {
	p := testPlan(t, "")
	zt := zdTicket{ID: 7, Status: "solved", RequesterID: ptr(int64(21)), CreatedAt: "2026-03-02T09:00:00Z", UpdatedAt: "2026-03-02T12:00:00Z",
		SatisfactionRating: &rating{Score: "offered"}}
	audits := []zdAudit{
		{ID: 3, CreatedAt: "2026-03-02T10:00:00Z", AuthorID: 11, Events: []zdEvent{
			{Type: "Change", FieldName: "status", Value: raw(`"pending"`), PreviousValue: raw(`"open"`)},
			{Type: "Comment", AuthorID: ptr(int64(11)), Public: ptr(true)}}},
		{ID: 1, CreatedAt: "2026-03-02T08:59:00Z", AuthorID: 21, Events: []zdEvent{
			{Type: "Create", FieldName: "status", Value: raw(`"new"`)},
			{Type: "Create", FieldName: "group_id", Value: raw(`100`)},
			{Type: "Comment", AuthorID: ptr(int64(21)), Public: ptr(true)}}},
		{ID: 2, CreatedAt: "2026-03-02T09:30:00Z", AuthorID: 12, Events: []zdEvent{
			{Type: "Change", FieldName: "status", Value: raw(`"open"`), PreviousValue: raw(`"new"`)},
			{Type: "Change", FieldName: "group_id", Value: raw(`"200"`), PreviousValue: raw(`"100"`)},
			{Type: "Comment", AuthorID: ptr(int64(12)), Public: ptr(false)}}},
	}
	got, rj := p.mapTicket(&zt, audits, nil, time.Time{})
	if rj != nil {
		t.Fatal(rj.reason)
	}
	want := ticket.Ticket{ID: "7", Created: utc("2026-03-02 09:00"), Priority: "none", Type: "ticket", Fields: map[string]string{},
		History: []ticket.StatusChange{
			{At: utc("2026-03-02 09:00"), Status: "new", Category: ticket.Open},
			{At: utc("2026-03-02 09:30"), Status: "open", Category: ticket.Open},
			{At: utc("2026-03-02 10:00"), Status: "pending", Category: ticket.Paused},
			{At: utc("2026-03-02 12:00"), Status: "solved", Category: ticket.Resolved},
		},
		// The private comment at 09:30 is no reply; the public one at 10:00 is.
		FirstResponse: utc("2026-03-02 10:00"), Reassignments: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ticket (-want +got):\n%s", diff)
	}

	// With the users sideload, a public comment by an end user who is not the requester (a
	// CC) is no reply.
	users := []zdUser{{ID: 11, Role: "end-user"}, {ID: 12, Role: "agent"}, {ID: 21, Role: "end-user"}}
	if got, _ := p.mapTicket(&zt, audits, users, time.Time{}); !got.FirstResponse.IsZero() {
		t.Errorf("first response %v from an end user's comment", got.FirstResponse)
	}
}

func TestMapTicket_Rejections(t *testing.T) {
	p := testPlan(t, "")
	for _, tt := range []struct {
		zt   zdTicket
		want rejection
	}{
		{zdTicket{ID: 1, Status: "open", CreatedAt: "yesterday"}, rejection{`created_at "yesterday" is not an RFC 3339 time`, "created_at is not an RFC 3339 time", ""}},
		{zdTicket{ID: 1, CreatedAt: "2026-03-02T09:00:00Z"}, rejection{"status is empty", "status is empty", ""}},
		{zdTicket{ID: 1, Status: "awaiting_vendor", CreatedAt: "2026-03-02T09:00:00Z"},
			rejection{`status "awaiting_vendor" is not mapped to a category`, "status not mapped", "statuses"}},
	} {
		_, rj := p.mapTicket(&tt.zt, nil, nil, time.Time{})
		if rj == nil || *rj != tt.want {
			t.Errorf("%+v: rejection %+v, want %+v", tt.zt, rj, tt.want)
		}
	}
}

// TestNative reads the stages of slas.policy_metrics: the live response a public project
// quotes (an achieved first_reply_time with "days": -141), a paused metric shown overdue, an
// active one past breach_at, one without breach_at shown overdue, an unknown metric (no
// clock), next_reply_time's start and stop from the comments.
func TestNative(t *testing.T) {
	p := testPlan(t, "native_slas: {first_reply_time: response, agent_work_time: resolution}\n")
	asOf := utc("2026-05-07 17:00")
	tk := &ticket.Ticket{Created: utc("2025-12-17 09:00"), FirstResponse: utc("2025-12-17 10:00"),
		History: []ticket.StatusChange{{At: utc("2025-12-17 09:00"), Status: "open", Category: ticket.Open}}}
	tr := &trail{agents: map[int64]bool{11: true}, roles: true, comments: []comment{
		{at: utc("2025-12-17 09:00"), author: 21, public: true, first: true},
		{at: utc("2025-12-17 10:00"), author: 11, public: true},
		{at: utc("2026-05-07 14:29"), author: 21, public: true},
	}}
	var pms []policyMetric
	if err := json.Unmarshal([]byte(`[
		{"breach_at": "2026-05-08T14:29:34Z", "stage": "active", "metric": "next_reply_time", "hours": 21},
		{"breach_at": "2025-12-18T03:07:32Z", "stage": "achieved", "metric": "first_reply_time", "days": -141},
		{"breach_at": null, "stage": "paused", "metric": "agent_work_time", "minutes": -15},
		{"breach_at": "2026-05-07T16:00:00Z", "stage": "active", "metric": "periodic_update_time", "hours": -1},
		{"breach_at": null, "stage": "active", "metric": "pausable_update_time", "minutes": -2},
		{"breach_at": "2026-05-09T10:00:00Z", "stage": "paused", "metric": "requester_wait_time", "days": 1},
		{"breach_at": "2026-05-07T12:00:00Z", "stage": "breached", "metric": "custom_metric"},
		{"stage": "active", "metric": ""}
	]`), &pms); err != nil {
		t.Fatal(err)
	}
	got := p.native(pms, tk, tr, 21, asOf)
	want := []ticket.NativeSLA{
		// No start known: first, by name.
		{Name: "custom_metric", Deadline: utc("2026-05-07 12:00"), Breached: true},
		{Name: "pausable_update_time", Breached: true},
		{Name: "periodic_update_time", Deadline: utc("2026-05-07 16:00"), Breached: true},
		// Paused and shown 15 minutes overdue: breached. (The same start: by name.)
		{Name: "agent_work_time", Clock: "resolution", Start: utc("2025-12-17 09:00"), Paused: true, Breached: true},
		// Achieved at the first reply, 10:00, before its deadline of Dec 18 03:07:32: met.
		{Name: "first_reply_time", Clock: "response", Start: utc("2025-12-17 09:00"), Deadline: time.Date(2025, 12, 18, 3, 7, 32, 0, time.UTC), Stop: utc("2025-12-17 10:00")},
		{Name: "requester_wait_time", Start: utc("2025-12-17 09:00"), Deadline: utc("2026-05-09 10:00"), Paused: true},
		// From the requester's comment at 14:29, due the next day: running.
		{Name: "next_reply_time", Start: utc("2026-05-07 14:29"), Deadline: time.Date(2026, 5, 8, 14, 29, 34, 0, time.UTC)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("native (-want +got):\n%s", diff)
	}
}

func ptr[T any](v T) *T { return &v }

func raw(s string) json.RawMessage { return json.RawMessage(s) }
