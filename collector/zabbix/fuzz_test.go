package zabbix

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// FuzzDecode feeds arbitrary answers to the decoding of event.get and maintenance.get and to
// the mapping: they never panic, outages are disjoint and inside what they may cover, and
// maintenance windows are ordered, disjoint and inside [lo, hi).
func FuzzDecode(f *testing.F) {
	rec := readRecording(f)
	for _, sync := range rec.Syncs {
		for _, ex := range sync {
			if strings.HasPrefix(ex.Call, "event.get ") || strings.HasPrefix(ex.Call, "maintenance.get ") {
				f.Add(string(ex.Body))
			}
		}
	}
	f.Add(`{"result":[{"eventid":1,"clock":"1743411600","ns":"999999999","r_eventid":"2","severity":5,"hosts":[{"hostid":7}]}]}`)
	f.Add(`{"result":[{"maintenanceid":"1","active_since":"0","active_till":"99999999999","timeperiods":[{"timeperiod_type":"4","every":"5","dayofweek":"127","month":"4095","start_time":"86399","period":"2147483647"}]}]}`)
	f.Add(`{"error":{"code":-32602,"message":"Invalid params.","data":"Not authorised."}}`)
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		f.Fatal(err)
	}
	z := zone{loc}
	to := time.Unix(1743420600, 0)
	lo, hi := to.Add(-40*24*time.Hour).Unix(), to.Unix()
	f.Fuzz(func(t *testing.T, body string) {
		var r response
		if json.Unmarshal([]byte(body), &r) != nil || r.Result == nil {
			return
		}
		var evs []event
		if json.Unmarshal(r.Result, &evs) == nil {
			rec := map[string]time.Time{}
			var ps []problem
			for _, e := range evs {
				if at, err := e.at(); err == nil {
					rec[string(e.EventID)] = at
				}
			}
			for _, e := range evs {
				p, rj := mapProblem(e, rec)
				if rj != nil {
					if rj.Reason == "" || rj.Rule == "" || rj.Where == "" {
						t.Fatalf("a rejection without a reason, rule or place: %+v", *rj)
					}
					continue
				}
				ps = append(ps, p)
			}
			var deg [6]bool
			deg[2] = true
			out := outages(ps, deg, to)
			for i, o := range out {
				if !o.Start.Before(o.End) || (o.State != availability.Down && o.State != availability.Degraded) {
					t.Fatalf("outage %d: %+v", i, o)
				}
				if i > 0 && out[i-1].End.After(o.Start) {
					t.Fatalf("outages %d and %d overlap: %+v %+v", i-1, i, out[i-1], o)
				}
			}
		}
		var ms []maintenance
		if json.Unmarshal(r.Result, &ms) == nil {
			for _, m := range ms {
				if len(m.Timeperiods) > 4 {
					continue // bounded work per input
				}
				spans, err := m.runs(z, lo, hi)
				if err != nil {
					continue
				}
				for i, s := range spans {
					if s.from >= s.to || s.from < lo || s.to > hi || (i > 0 && spans[i-1].to >= s.from) {
						t.Fatalf("span %d of %v: out of order or range", i, spans)
					}
				}
			}
		}
	})
}

// FuzzSLI feeds arbitrary answers to the decoding of sla.getsli and its mapping: it never
// panics, and every figure it keeps is a ratio of 0 to 1 over a period that ends after it
// starts, with no negative time and no more than the period.
func FuzzSLI(f *testing.F) {
	rec := readRecording(f)
	for _, sync := range rec.Syncs {
		for _, ex := range sync {
			if strings.HasPrefix(ex.Call, "sla.getsli ") {
				f.Add(string(ex.Body))
			}
		}
	}
	f.Add(`{"result":{"periods":[{"period_from":0,"period_to":1}],"serviceids":["1","1"],"sli":[[{"uptime":"1","downtime":-1,"sli":"1e308","error_budget":0},{"sli":-1}]]}}`)
	f.Add(`{"result":{"periods":[],"serviceids":[1],"sli":[]}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var r response
		if json.Unmarshal([]byte(body), &r) != nil || r.Result == nil {
			return
		}
		var res sliResult
		if json.Unmarshal(r.Result, &res) != nil {
			return
		}
		slis, rejected, err := res.figures(dbSLA, []slaSel{dbEntry}, dbService, at("11:30"))
		if err != nil {
			return
		}
		for _, s := range slis {
			if !(s.SLI >= 0 && s.SLI <= 1) || !s.From.Before(s.To) || s.Uptime < 0 || s.Downtime < 0 || s.Uptime+s.Downtime > s.To.Sub(s.From) {
				t.Fatalf("figure %+v", s)
			}
		}
		for _, rj := range rejected {
			if rj.Reason == "" || rj.Rule == "" || rj.Where == "" || rj.Setting == "" {
				t.Fatalf("a rejection without a reason, rule, place or setting: %+v", rj)
			}
		}
	})
}
