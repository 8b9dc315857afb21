package rt

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// The scenario the integration test plays on the real RT, and the tickets the source must make
// of it. The replay tests check the same tickets from the recorded answers.
//
// RT runs with deploy/ci/install-rt.sh's settings: SLA level "standard" (Response 60 business
// minutes, not counted while stalled; Resolve 480 business minutes), business hours Mon-Fri
// 09:00-17:00 UTC. Every instant below is UTC; 2025-03-10 is a Monday.

// utc reads "2006-01-02 15:04" in UTC.
func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// sourceYAML is the rt block the tests configure: page_size 2 so that four tickets take two
// pages.
const sourceYAML = `
url: %s
http_client_config:
  authorization: {type: token, credentials_file: %s}
query: "Queue = 'General'"
page_size: 2
priority_ranges:
  - {name: P1, min: 70}
  - {name: P2, min: 40, max: 69}
  - {name: P3, max: 39}
custom_fields: {customer: Customer, components: Components}
`

// newTestSource builds the source of sourceYAML against url, with the token in tokenFile, on
// the clock clk: its waits (the client-side rate limit, backoff) move that clock instead of
// sleeping.
func newTestSource(t *testing.T, url, tokenFile string, requests *collector.Requests, clk *apitest.Clock) *Source {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(fmt.Appendf(nil, sourceYAML, url, tokenFile), &doc); err != nil {
		t.Fatal(err)
	}
	src, err := newSource(doc.Content[0], collector.Options{Name: "rt", Requests: requests, Now: clk.Now}, clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

// syncT0 is when the tests' source syncs first, by its own clock (RT's is set apart).
var syncT0 = utc("2025-03-18 12:00")

func newClock() *apitest.Clock { return apitest.NewClock(syncT0) }

// replayTokenFile writes the replay token to a file for http_client_config.
func replayTokenFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte(replayToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// play makes the scenario's tickets in a fresh RT, up to the first sync. Ticket ids are 1 to 4 in
// a fresh database.
func play(s *rtServer) {
	const customer = "customer@example.com"
	s.enableSLA("General")

	// Ticket 1, "the walk": the customer reports, staff answers, stalls, resolves; the customer
	// reopens, staff resolves again.
	s.setTime(utc("2025-03-10 10:00"))
	id := s.create(s.customer, map[string]any{"Queue": "General", "Subject": "Printer jams", "Requestor": customer, "Content": "It jams."})
	// One field at a time: RT applies the fields of one update in Perl's random hash order, and
	// a recording is better the same every time.
	s.update(s.root, id, map[string]any{"Priority": 70})
	s.update(s.root, id, map[string]any{"CustomFields": map[string]any{"Customer": "acme"}})
	s.update(s.root, id, map[string]any{"CustomFields": map[string]any{"Components": []string{"printer", "network"}}})
	s.setTime(utc("2025-03-10 10:30"))
	s.replyWorked(s.root, id, "correspond", "Looking at it.", 20) // RT opens the ticket
	s.setTime(utc("2025-03-10 11:00"))
	s.update(s.root, id, map[string]any{"Status": "stalled"})
	s.setTime(utc("2025-03-10 13:00"))
	s.update(s.root, id, map[string]any{"Status": "open"})
	s.setTime(utc("2025-03-10 14:00"))
	s.reply(s.customer, id, "correspond", "Any news?")
	s.setTime(utc("2025-03-10 14:20"))
	s.replyWorked(s.root, id, "correspond", "A part is on its way.", 18)
	s.setTime(utc("2025-03-11 10:00"))
	s.update(s.root, id, map[string]any{"Status": "resolved"})
	s.setTime(utc("2025-03-11 14:00"))
	s.reply(s.customer, id, "correspond", "It jams again.") // RT reopens the ticket
	s.setTime(utc("2025-03-12 12:00"))
	s.update(s.root, id, map[string]any{"Status": "resolved"})

	// Ticket 2, made by staff for the customer late on Thursday: the customer writes on Friday
	// morning, staff answers after.
	s.setTime(utc("2025-03-13 16:30"))
	id = s.create(s.root, map[string]any{"Queue": "General", "Subject": "Phone call: VPN down", "Requestor": customer, "Content": "Noted on the phone."})
	s.setTime(utc("2025-03-14 09:15"))
	s.reply(s.customer, id, "correspond", "Still down.")
	s.setTime(utc("2025-03-14 09:45"))
	s.reply(s.root, id, "correspond", "On it.")

	// Ticket 3: a staff comment (internal, not a response), then rejected.
	s.setTime(utc("2025-03-14 10:00"))
	id = s.create(s.customer, map[string]any{"Queue": "General", "Subject": "Free coffee", "Requestor": customer, "Content": "Please."})
	s.setTime(utc("2025-03-14 10:02"))
	s.reply(s.root, id, "comment", "Not our job.")
	s.setTime(utc("2025-03-14 10:05"))
	s.update(s.root, id, map[string]any{"Status": "rejected"})

	// Ticket 4, the boundary: created at Monday's opening, answered at once, left open.
	s.setTime(utc("2025-03-17 09:00"))
	id = s.create(s.customer, map[string]any{"Queue": "General", "Subject": "New laptop", "Requestor": customer, "Content": "Mine died."})
	s.update(s.root, id, map[string]any{"Priority": 50})
	s.setTime(utc("2025-03-17 09:10"))
	s.reply(s.root, id, "correspond", "Ordered.")
}

// playChange is the one change between the second and the third sync: staff resolves ticket 2.
func playChange(s *rtServer) {
	s.setTime(utc("2025-03-18 11:00"))
	s.update(s.root, "2", map[string]any{"Status": "resolved"})
}

// playRemovals takes two tickets out of the query after the third sync: ticket 1 moves to
// another queue, ticket 3 is deleted (RT sets its status to deleted, which searches leave out
// unless they ask for a status). Neither shows in the search of what changed: only the
// reconciliation's id listing drops them.
func playRemovals(s *rtServer) {
	s.setTime(utc("2025-03-19 10:00"))
	s.call(s.root, http.MethodPost, "/REST/2.0/queue", map[string]any{"Name": "Elsewhere"}, nil)
	s.update(s.root, "1", map[string]any{"Queue": "Elsewhere"})
	s.call(s.root, http.MethodDelete, "/REST/2.0/ticket/3", nil, nil)
}

func change(at, status string, cat ticket.Category) ticket.StatusChange {
	return ticket.StatusChange{At: utc(at), Status: status, Category: cat}
}

// Ticket 1. Created by the customer Mon 10:00; root's reply at 10:30 is the first response (the
// customer's own reply at 14:00 is not one). RT opened it at the reply, staff stalled it 11:00-
// 13:00, resolved it Tue 10:00; the customer's reply Tue 14:00 reopened it; resolved Wed 12:00.
// Root's two replies took 20 and 18 minutes: TimeWorked 38, the work time.
// Priority 70 is P1 (min 70). RT's Due, last set when the customer's reply of Tue 14:00 reopened
// it: the earlier of Response (Tue 14:00 + 60 min = 15:00) and Resolve, counted from creation
// through the stall: Mon 10:00-17:00 (7h) + Tue 09:00-10:00 (1h) = 480 min, Tue 10:00.
var want1 = ticket.Ticket{
	ID: "1", Created: utc("2025-03-10 10:00"), Priority: "P1", Group: "General",
	Fields: map[string]string{"rt_due": "2025-03-11T10:00:00Z", "rt_sla": "standard", "customer": "acme", "components": "printer, network"},
	History: []ticket.StatusChange{
		change("2025-03-10 10:00", "new", ticket.Open),
		change("2025-03-10 10:30", "open", ticket.Open),
		change("2025-03-10 11:00", "stalled", ticket.Paused),
		change("2025-03-10 13:00", "open", ticket.Open),
		change("2025-03-11 10:00", "resolved", ticket.Resolved),
		change("2025-03-11 14:00", "open", ticket.Open),
		change("2025-03-12 12:00", "resolved", ticket.Resolved),
	},
	FirstResponse: utc("2025-03-10 10:30"),
	WorkTime:      38 * time.Minute,
}

// Ticket 2 at the first sync. Created by root Thu 16:30 for the customer: the Create is no
// response, nor is the customer's reply Fri 09:15 (which opens it: RT keeps a new ticket new on a
// requestor's reply by mail only); root's reply Fri 09:45 is.
// Priority 0 is P3. RT's Due: created by staff, RT counts the response as given, so Due is
// Resolve: Thu 16:30-17:00 (30 min) + Fri 09:00-16:30 (450 min) = 480 min, Fri 16:30; the
// customer's reply set it to Response (09:15 + 60 = 10:15), root's reply back to Fri 16:30.
var want2 = ticket.Ticket{
	ID: "2", Created: utc("2025-03-13 16:30"), Priority: "P3", Group: "General",
	Fields: map[string]string{"rt_due": "2025-03-14T16:30:00Z", "rt_sla": "standard"},
	History: []ticket.StatusChange{
		change("2025-03-13 16:30", "new", ticket.Open),
		change("2025-03-14 09:15", "open", ticket.Open),
	},
	FirstResponse: utc("2025-03-14 09:45"),
}

// Ticket 2 at the third sync: resolved Tue 03-18 11:00; RT's Due unchanged.
var want2Resolved = func() ticket.Ticket {
	tk := want2
	tk.History = append(append([]ticket.StatusChange{}, want2.History...), change("2025-03-18 11:00", "resolved", ticket.Resolved))
	return tk
}()

// Ticket 3: rejected (cancelled) Fri 10:05; root's comment at 10:02 is no response by default,
// and neither is the status change. RT's Due: Response, 10:00 + 60 min = 11:00.
var want3 = ticket.Ticket{
	ID: "3", Created: utc("2025-03-14 10:00"), Priority: "P3", Group: "General",
	Fields: map[string]string{"rt_due": "2025-03-14T11:00:00Z", "rt_sla": "standard"},
	History: []ticket.StatusChange{
		change("2025-03-14 10:00", "new", ticket.Open),
		change("2025-03-14 10:05", "rejected", ticket.Cancelled),
	},
}

// Ticket 4: created Mon 03-17 09:00, answered 09:10, priority 50 (P2). RT's Due after the
// answer is Resolve: 480 business minutes from Monday's opening use up Monday, and RT dates
// that at Tuesday's opening, 09:00.
var want4 = ticket.Ticket{
	ID: "4", Created: utc("2025-03-17 09:00"), Priority: "P2", Group: "General",
	Fields: map[string]string{"rt_due": "2025-03-18T09:00:00Z", "rt_sla": "standard"},
	History: []ticket.StatusChange{
		change("2025-03-17 09:00", "new", ticket.Open),
		change("2025-03-17 09:10", "open", ticket.Open),
	},
	FirstResponse: utc("2025-03-17 09:10"),
}

// syncWant is what each sync of the scenario returns, and the requests it costs.
type syncWant struct {
	name string
	// play changes RT before the sync; at is the source's clock at the sync.
	play     func(*rtServer)
	at       time.Time
	tickets  []ticket.Ticket
	requests int
	// present, when set, says the sync reconciles, and the ids it finds.
	present []string
}

// wantSyncs: the first sync reads the four tickets on two pages of two (2 searches) and each
// history (4): 6 requests. The second, with nothing changed, searches from the last LastUpdated
// (ticket 4's, Mon 03-17 09:10) less the 1-minute overlap, finds ticket 4 unchanged and skips
// it: 1 request. The third finds ticket 4 unchanged and ticket 2 changed: 1 search and ticket
// 2's history, 2 requests. After ticket 1 moves out of the queue and ticket 3 is deleted, a sync
// 23 hours after the first (within reconcile_interval, 24h) sees nothing: 1 search. One 25 hours
// after reconciles: the ids of the query (tickets 2 and 4: 1 page) and the search, 2 requests.
var wantSyncs = []syncWant{
	{name: "first", at: syncT0, tickets: []ticket.Ticket{want1, want2, want3, want4}, requests: 6},
	{name: "unchanged", at: syncT0, requests: 1},
	{name: "one change", play: playChange, at: syncT0, tickets: []ticket.Ticket{want2Resolved}, requests: 2},
	{name: "removed, within reconcile_interval", play: playRemovals, at: syncT0.Add(23 * time.Hour), requests: 1},
	{name: "reconciled", at: syncT0.Add(25 * time.Hour), requests: 2, present: []string{"2", "4"}},
}
