package servicenow

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// FuzzMapAnswers decodes three Table API answers as the source does (a task row, its sys_audit
// rows, its task_sla rows) and maps them: nothing panics, and a ticket that maps is valid (its
// history in order, after its creation, every status mapped).
func FuzzMapAnswers(f *testing.F) {
	f.Add([]byte(`{"result":[{"sys_id":"a1","number":"INC0010001","opened_at":"2026-03-02 08:00:00","state":"6","priority":"2",`+
		`"hold_reason":"","reopen_count":"1","reassignment_count":"0","assignment_group.name":"Service Desk","resolved_at":"2026-03-02 10:00:00",`+
		`"sys_updated_on":"2026-03-02 10:00:00"}]}`),
		[]byte(`{"result":[{"sys_id":"b1","documentkey":"a1","fieldname":"state","oldvalue":"","newvalue":"1","record_checkpoint":"0","sys_created_on":"2026-03-02 08:00:00"},`+
			`{"sys_id":"b2","documentkey":"a1","fieldname":"state","oldvalue":"1","newvalue":"3","record_checkpoint":"1","sys_created_on":"2026-03-02 07:00:00"},`+
			`{"sys_id":"b3","documentkey":"a1","fieldname":"hold_reason","oldvalue":"","newvalue":"1","record_checkpoint":"1","sys_created_on":"2026-03-02 07:00:00"}]}`),
		[]byte(`{"result":[{"sys_id":"c1","task":"a1","sla":"d1","sla.name":"P2","stage":"completed","has_breached":"false",`+
			`"start_time":"2026-03-02 08:00:00","planned_end_time":"2026-03-02 16:00:00","end_time":"2026-03-02 10:00:00"}]}`))
	f.Add([]byte(`{"result":[{"sys_id":{"value":"a1","link":"x"},"number":7,"opened_at":null,"sys_created_on":"2026-03-02 08:00:00","state":"2"}]}`),
		[]byte(`{"result":[]}`), []byte(`{"result":[{"sys_id":"c1","stage":"paused","start_time":"2026-03-02 08:00:00"}]}`))
	s := &settings{table: "incident", incident: true, typ: "incident", now: func() time.Time { return time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC) },
		paused: []string{"1"}, response: []string{"2"}, prios: defaultPriorities, native: map[string]string{"P2": "resolution"},
		fields: []fieldMap{{field: "category", path: "category"}}}
	s.states, s.names = map[string]ticket.Category{}, map[string]string{}
	for v, st := range tables["incident"].states {
		s.states[v], _ = ticket.ParseCategory(st.Category)
		s.names[v] = st.Name
	}
	rows := func(b []byte) ([]row, bool) {
		var l listing
		if json.Unmarshal(b, &l) != nil {
			return nil, false
		}
		var out []row
		for _, raw := range l.Result {
			r, err := decodeRow(raw)
			if err != nil {
				return nil, false
			}
			out = append(out, r)
		}
		return out, true
	}
	f.Fuzz(func(t *testing.T, task, audit, sla []byte) {
		tasks, ok1 := rows(task)
		audits, ok2 := rows(audit)
		slas, ok3 := rows(sla)
		if !ok1 || !ok2 || !ok3 || len(tasks) == 0 {
			return
		}
		tk, rj := s.mapTicket(tasks[0], audits, slas)
		if rj != nil {
			if rj.reason == "" || rj.rule == "" {
				t.Errorf("a rejection without a reason or rule: %+v", rj)
			}
			return
		}
		if err := tk.Validate(); err != nil {
			t.Errorf("mapped an invalid ticket: %v\n%+v", err, tk)
		}
		if tk.ID == "" || len(tk.History) == 0 {
			t.Errorf("a ticket without an id or history: %+v", tk)
		}
	})
}

// FuzzToken: a listing position reads back as written, and any string either reads or is
// refused without a panic.
func FuzzToken(f *testing.F) {
	f.Add("1772438400.1772442000.64d3558f352592e9003649d7d1d6732c.0")
	f.Add("0.0..200")
	f.Add("1.2.x^y.3")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := parseToken(s)
		if err != nil {
			return
		}
		again, err := parseToken(tok.String())
		if err != nil || again != tok {
			t.Errorf("%q read as %+v, written %q, read back as %+v (%v)", s, tok, tok.String(), again, err)
		}
		if tok.set && !validID(tok.after.id) {
			t.Errorf("%q gave a cursor id %q that is not an id", s, tok.after.id)
		}
	})
}
