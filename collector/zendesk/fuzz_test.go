package zendesk

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

// FuzzMapTicket feeds arbitrary export pages and audit pages to the decoding and the mapping:
// they never panic, and what maps is a valid ticket with the export's id, a history, native
// entries with names, and no empty field.
func FuzzMapTicket(f *testing.F) {
	// The shape of Zendesk's example of the cursor export (CursorBasedExportIncrementalTicketsResponse
	// in the Incremental Exports reference), with the slas sideload as a live response has it.
	f.Add(`{"after_cursor":"MTU3NjYxMzUzOS4wfHw0Njd8","after_url":"https://x.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=MTU3NjYxMzUzOS4wfHw0Njd8","before_cursor":null,"before_url":null,"end_of_stream":true,
		"tickets":[{"assignee_id":235323,"created_at":"2009-07-20T22:55:29Z","custom_fields":[{"id":27642,"value":"745"},{"id":27648,"value":"yes"}],"generated_timestamp":1304553600,"group_id":98738,"id":35436,"organization_id":509974,"priority":"high","requester_id":20978392,"satisfaction_rating":{"comment":"Great support!","id":1234,"score":"good"},"status":"open","tags":["enterprise","other_tag"],"type":"incident","updated_at":"2011-05-05T10:38:52Z","via":{"channel":"web"},
		"slas":{"policy_metrics":[{"breach_at":"2011-05-05T12:08:39Z","stage":"active","metric":"first_reply_time","hours":1},{"breach_at":null,"stage":"paused","metric":"requester_wait_time","days":-2}]}}]}`,
		`{"audits":[{"id":2127301143,"ticket_id":35436,"created_at":"2011-05-05T10:38:52Z","author_id":5246746,"via":{"channel":"web"},"events":[{"id":2127301148,"type":"Comment","public":false,"body":"private","author_id":5246746},{"id":2127301163,"type":"Change","value":"open","previous_value":"new","field_name":"status"}]}],"users":[{"id":5246746,"role":"agent"}],"meta":{"has_more":false}}`)
	f.Add(`{"tickets":[{"id":1,"status":"deleted","created_at":"2026-03-02T09:00:00Z"},{"id":2,"status":"hold","created_at":"2026-03-02T09:00:00Z","priority":null,"group_id":null,"custom_fields":[{"id":360001,"value":["a",1,null]}]}],"end_of_stream":false,"after_cursor":null}`,
		`{"audits":[{"created_at":"2026-03-02T08:00:00Z","events":[{"type":"Create","field_name":"status","value":"hold"},{"type":"Change","field_name":"group_id","value":2,"previous_value":1},{"type":"Comment","public":true}]},{"created_at":"bad"}]}`)
	f.Add(`{"tickets":[{"id":3,"status":"solved","created_at":"2026-03-02T09:00:00Z","slas":{"policy_metrics":[{"metric":"x","stage":"achieved","breach_at":"nope"}]}}]}`, `{"audits":null}`)
	p := testPlan(f, "tag_fields: {customer: \"customer_(.+)\"}\ncustom_fields: {product: 360001}\ngroups: {\"98738\": Desk}\n")
	asOf := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, page, audits string) {
		var pg exportPage
		if json.Unmarshal([]byte(page), &pg) != nil {
			return
		}
		var ap auditsPage
		if json.Unmarshal([]byte(audits), &ap) != nil {
			return
		}
		for _, raw := range pg.Tickets {
			var h head
			if json.Unmarshal(raw, &h) != nil || h.ID <= 0 {
				continue
			}
			var zt zdTicket
			if json.Unmarshal(raw, &zt) != nil {
				continue
			}
			tk, rj := p.mapTicket(&zt, ap.Audits, ap.Users, asOf)
			if rj != nil {
				if rj.reason == "" || rj.rule == "" {
					t.Fatalf("a rejection without a reason or rule: %+v", *rj)
				}
				continue
			}
			if err := tk.Validate(); err != nil {
				t.Fatalf("mapped an invalid ticket: %v", err)
			}
			if tk.ID != strconv.FormatInt(h.ID, 10) || len(tk.History) == 0 || tk.Priority == "" || tk.Type == "" {
				t.Fatalf("ticket %+v from item %d", tk, h.ID)
			}
			for k, v := range tk.Fields {
				if v == "" {
					t.Fatalf("field %q is empty", k)
				}
			}
			for _, n := range tk.Native {
				if n.Name == "" || (n.Clock != "" && n.Clock != "response" && n.Clock != "resolution") {
					t.Fatalf("native entry %+v", n)
				}
			}
		}
	})
}
