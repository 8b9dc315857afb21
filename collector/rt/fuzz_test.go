package rt

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzMapTicket feeds arbitrary search pages and histories to the decoding and the mapping: they
// never panic, and what maps is a valid ticket with the item's id, a history and no empty field.
func FuzzMapTicket(f *testing.F) {
	rec := readRecording(f, "sync")
	var history string
	for _, sync := range rec.Syncs {
		for _, ex := range sync {
			if strings.Contains(ex.Request, "/history") {
				history = string(ex.Body)
			}
		}
		for _, ex := range sync {
			if strings.Contains(ex.Request, "/tickets") {
				f.Add(string(ex.Body), history)
			}
		}
	}
	f.Add(`{"count":1,"items":[{"id":"1","LastUpdated":"2025-03-10T10:00:00Z","Status":"new","Created":"2025-03-10T10:00:00Z","Priority":"0"}]}`,
		`{"items":[{"id":"1","Type":"Create","Created":"2025-03-10T10:00:00Z"},{"id":"2","type":"Status","Type":"Status","OldValue":"new","NewValue":"open","Created":"2025-03-10T09:00:00Z"}]}`)
	f.Add(`{"items":[{"id":1e3,"LastUpdated":"1970-01-01T00:00:00Z","CustomFields":[{"name":"x","values":[1]}]}]}`, `{"items":null}`)
	p := testPlan(f, "priority_ranges: [{name: P1, min: 50}, {name: P2, max: 49}]\ncustom_fields: {customer: Customer, components: Components}\n")
	f.Fuzz(func(t *testing.T, page, history string) {
		var pg searchPage
		if json.Unmarshal([]byte(page), &pg) != nil {
			return
		}
		var hp historyPage
		if json.Unmarshal([]byte(history), &hp) != nil {
			return
		}
		for _, raw := range pg.Items {
			key, id, err := itemKey(raw)
			if err != nil {
				continue
			}
			if key.id == 0 || id == "" {
				t.Fatalf("itemKey gave id %q (%d) without an error", id, key.id)
			}
			var it rtTicket
			if json.Unmarshal(raw, &it) != nil {
				continue
			}
			tk, rj := p.mapTicket(&it, hp.Items)
			if rj != nil {
				if rj.reason == "" || rj.rule == "" {
					t.Fatalf("a rejection without a reason or rule: %+v", *rj)
				}
				continue
			}
			if err := tk.Validate(); err != nil {
				t.Fatalf("mapped an invalid ticket: %v", err)
			}
			if tk.ID != id || len(tk.History) == 0 || tk.Priority == "" {
				t.Fatalf("ticket %+v from item %s", tk, id)
			}
			for k, v := range tk.Fields {
				if v == "" {
					t.Fatalf("field %q is empty", k)
				}
			}
		}
	})
}
