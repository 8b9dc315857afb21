package servicenow

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// BenchmarkMapPage decodes a listing page of 100 incidents and their 600 sys_audit rows (an
// insert and five changes each: New, In Progress, On Hold with a reason, In Progress,
// Resolved) as the Table API sends them with stored values, and maps them.
func BenchmarkMapPage(b *testing.B) {
	var tasks, audits []map[string]string
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for i := range 100 {
		id := fmt.Sprintf("%032x", i+1)
		at := func(m int) string { return t0.Add(time.Duration(i+m) * time.Minute).Format(time.DateTime) }
		tasks = append(tasks, map[string]string{"sys_id": id, "number": fmt.Sprintf("INC%07d", i+1), "sys_updated_on": at(300),
			"sys_created_on": at(0), "opened_at": at(0), "state": "6", "priority": "3", "assignment_group": "g1",
			"assignment_group.name": "Service Desk", "reassignment_count": "0", "close_code": "Solved (Permanently)", "closed_at": "",
			"hold_reason": "", "reopen_count": "0", "resolved_at": at(300), "category": "network"})
		for j, ch := range [][3]string{{"state", "", "1"}, {"state", "1", "2"}, {"state", "2", "3"}, {"hold_reason", "", "1"},
			{"state", "3", "2"}, {"hold_reason", "1", ""}} {
			cp := []int{0, 1, 2, 2, 3, 3}[j]
			audits = append(audits, map[string]string{"sys_id": fmt.Sprintf("a%031x", i*10+j), "documentkey": id, "fieldname": ch[0],
				"oldvalue": ch[1], "newvalue": ch[2], "record_checkpoint": fmt.Sprint(cp), "sys_created_on": at(cp * 60)})
		}
	}
	page, _ := json.Marshal(map[string]any{"result": tasks})
	auditPage, _ := json.Marshal(map[string]any{"result": audits})
	s := &settings{table: "incident", incident: true, typ: "incident", now: time.Now, response: []string{"2"}, prios: defaultPriorities,
		fields: []fieldMap{{field: "category", path: "category"}}, states: map[string]ticket.Category{}, names: map[string]string{}}
	for v, st := range tables["incident"].states {
		s.states[v], _ = ticket.ParseCategory(st.Category)
		s.names[v] = st.Name
	}
	b.SetBytes(int64(len(page) + len(auditPage)))
	b.ReportAllocs()
	for b.Loop() {
		var l, al listing
		if json.Unmarshal(page, &l) != nil || json.Unmarshal(auditPage, &al) != nil {
			b.Fatal("decode")
		}
		byDoc := map[string][]row{}
		for _, raw := range al.Result {
			r, err := decodeRow(raw)
			if err != nil {
				b.Fatal(err)
			}
			byDoc[r.get("documentkey")] = append(byDoc[r.get("documentkey")], r)
		}
		for _, raw := range l.Result {
			r, err := decodeRow(raw)
			if err != nil {
				b.Fatal(err)
			}
			if _, rj := s.mapTicket(r, byDoc[r.get("sys_id")], nil); rj != nil {
				b.Fatal(rj.reason)
			}
		}
	}
}
