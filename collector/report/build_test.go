package report

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// smallConfig has two event objectives in UTC months: requests, a supplier's promise under the
// cloud contract, and checkout, a customer's under acme-web.
const smallConfig = `
global: {timezone: UTC}
sources:
  - {name: probes, type: demo}
services:
  - {name: api, labels: {supplier: cloudco}}
  - {name: web, labels: {customer: acme}}
objectives:
  - {name: requests, service: api, kind: event_ratio, source: probes, series: requests, target: 0.99}
  - {name: checkout, service: web, kind: event_ratio, source: probes, series: checkout, target: 0.95}
contracts:
  - name: cloud
    objectives: [requests]
    tiers: [{below: 0.99, credit: 0.1}, {below: 0.95, credit: 0.5}]
    fee: 1000
    currency: EUR
    claim_within: 30 days
  - {name: acme-web, objectives: [checkout], tiers: [{below: 0.95, credit: 0.05}], fee: 2000, currency: EUR}
`

// smallNow is mid-November 2026: the default report is October's.
var smallNow = utc("2026-11-16T00:00:00Z")

func eventsOf(t *testing.T, bs ...events.Bucket) *collector.EventCounts {
	t.Helper()
	s, err := events.New(bs)
	if err != nil {
		t.Fatal(err)
	}
	return &collector.EventCounts{Buckets: bs, Series: s}
}

func bucket(start string, good, total float64) events.Bucket {
	return events.Bucket{Start: utc(start), Good: good, Total: total}
}

// smallSource is the small configuration with data: requests 999 of 1000 good in September,
// 985 of 1000 on 10 October, 1000 of 1000 in November; checkout 96 of 100 on 12 October. The
// source last synced an hour before now.
func smallSource(t *testing.T) *fakeSource {
	t.Helper()
	cfg, err := config.Load([]byte(smallConfig), "small.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := collector.Data{Tickets: map[string]*ticket.Store{"probes": ticket.NewStore(ticket.StoreOptions{})},
		Uptime: map[string]*collector.Uptime{}, Events: map[string]*collector.EventCounts{},
		LastSuccess: map[string]time.Time{"probes": utc("2026-11-15T23:00:00Z")}}
	d.Events["probes/requests"] = eventsOf(t, bucket("2026-09-10T00:00:00Z", 999, 1000), bucket("2026-10-10T00:00:00Z", 985, 1000),
		bucket("2026-11-10T00:00:00Z", 1000, 1000))
	d.Events["probes/checkout"] = eventsOf(t, bucket("2026-09-12T00:00:00Z", 100, 100), bucket("2026-10-12T00:00:00Z", 96, 100))
	return &fakeSource{cfg: cfg, data: d, frozen: map[string]map[string]collector.FrozenPeriod{}}
}

func buildSmall(t *testing.T, src *fakeSource, req Request) (*Report, error) {
	t.Helper()
	return Build(Inputs{Source: src, Now: smallNow}, req)
}

// objectiveFigures are the figures of an objective the cases below compare.
type objectiveFigures struct {
	Attainment *float64
	Verdict    string
	Basis      string
	BudgetUsed *float64
	Complete   bool
	Incomplete []string
}

func figuresOf(t *testing.T, rep *Report, name string) objectiveFigures {
	o := objectiveIn(t, rep, name)
	return objectiveFigures{o.Attainment, o.Verdict, o.Basis, o.BudgetUsed, o.Complete, o.Incomplete}
}

var approx = cmpopts.EquateApprox(0, 1e-12)

func TestMeasure(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *fakeSource)
		req    Request
		want   objectiveFigures
	}{
		// Recomputed from the records: 985 of 1000, missed. The budget is (1 - 0.99) × 1000 =
		// 10 events; 15 bad spend 1.5 of it.
		{"recomputed", nil, Request{},
			objectiveFigures{fptr(0.985), verdictMissed, basisRecomputed, fptr(1.5), true, []string{}}},
		// A frozen October wins over the records, which changed since; its budget is then
		// derived from it: (1 - 0.97) / (1 - 0.99) = 3.
		{"frozen wins", func(s *fakeSource) {
			s.frozen["requests"] = map[string]collector.FrozenPeriod{"2026-10": {Label: "2026-10", Start: utc("2026-10-01T00:00:00Z"),
				End: utc("2026-11-01T00:00:00Z"), Attainment: 0.97, HasData: true}}
		}, Request{}, objectiveFigures{fptr(0.97), verdictMissed, basisFrozen, fptr(3), true, []string{}}},
		// A period frozen under other bounds (another timezone) does not stand for this one.
		{"frozen elsewhere", func(s *fakeSource) {
			s.frozen["requests"] = map[string]collector.FrozenPeriod{"2026-10": {Label: "2026-10", Start: utc("2026-09-30T22:00:00Z"),
				End: utc("2026-10-31T23:00:00Z"), Attainment: 0.97, HasData: true}}
		}, Request{}, objectiveFigures{fptr(0.985), verdictMissed, basisRecomputed, fptr(1.5), true, []string{}}},
		{"source behind", func(s *fakeSource) { s.data.LastSuccess["probes"] = utc("2026-10-31T12:00:00Z") }, Request{},
			objectiveFigures{fptr(0.985), verdictMissed, basisRecomputed, fptr(1.5), false,
				[]string{`source "probes" last synced at 2026-10-31 12:00 UTC, before the period ended`}}},
		{"source never synced", func(s *fakeSource) { delete(s.data.LastSuccess, "probes") }, Request{},
			objectiveFigures{fptr(0.985), verdictMissed, basisRecomputed, fptr(1.5), false, []string{`source "probes" has not synced yet`}}},
		{"records begin late", func(s *fakeSource) {
			s.data.Events["probes/requests"] = eventsOf(t, bucket("2026-10-10T00:00:00Z", 985, 1000))
		}, Request{}, objectiveFigures{fptr(0.985), verdictMissed, basisRecomputed, fptr(1.5), false,
			[]string{"the oldest record held is from 2026-10-10 00:00 UTC, after the period began"}}},
		// November so far: 1000 of 1000, kept, nothing spent, but not final.
		{"in progress", nil, Request{Period: "2026-11"},
			objectiveFigures{fptr(1), verdictKept, basisRecomputed, fptr(0), false, []string{"the period is in progress: figures up to 2026-11-16 00:00 UTC"}}},
		{"frozen without data", func(s *fakeSource) {
			s.frozen["requests"] = map[string]collector.FrozenPeriod{"2026-10": {Label: "2026-10", Start: utc("2026-10-01T00:00:00Z"),
				End: utc("2026-11-01T00:00:00Z")}}
		}, Request{}, objectiveFigures{nil, verdictNoData, basisFrozen, nil, false, []string{"the period was frozen without data"}}},
		{"no records", func(s *fakeSource) { delete(s.data.Events, "probes/requests") }, Request{},
			objectiveFigures{nil, verdictNoData, "", nil, false, []string{"no data for the period"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := smallSource(t)
			if tt.change != nil {
				tt.change(src)
			}
			rep, err := buildSmall(t, src, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, figuresOf(t, rep, "requests"), approx); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if rep.Complete != tt.want.Complete {
				t.Errorf("report complete %v, want %v", rep.Complete, tt.want.Complete)
			}
		})
	}
}

// TestContractsAndCredits rates October: requests at 98.5% falls below 99% (10% of 1,000 EUR,
// 100 EUR to claim from cloudco), checkout at 96% is above 95% (nothing owed to acme).
func TestContractsAndCredits(t *testing.T) {
	rep, err := buildSmall(t, smallSource(t), Request{})
	if err != nil {
		t.Fatal(err)
	}
	// October ends 2026-11-01 00:00 UTC; 30 days later, 2026-12-01 00:00 UTC: claim by 30
	// November.
	deadline := utc("2026-12-01T00:00:00Z")
	wantSupplier := []Contract{{Name: "cloud", Party: partySupplier, Counterparty: "cloudco", Objectives: []string{"requests"},
		Fee: fptr(1000), Currency: "EUR", Tiers: []Tier{{0.99, 0.1}, {0.95, 0.5}}, ClaimWithin: "30 days",
		Periods: []ContractPeriod{{Label: "2026-10", Start: utc("2026-10-01T00:00:00Z"), End: utc("2026-11-01T00:00:00Z"),
			Objectives: []RatedObjective{{Name: "requests", Target: 0.99, Attainment: fptr(0.985), Tier: &Tier{0.99, 0.1}, Credit: fptr(0.1)}},
			Status:     "credit_due", Ratio: fptr(0.1), Amount: fptr(100), Complete: true, Incomplete: []string{},
			ClaimDeadline: &deadline, ClaimBy: "2026-11-30"}}}}
	if diff := cmp.Diff(wantSupplier, rep.Suppliers, approx, cmpopts.EquateApproxTime(0)); diff != "" {
		t.Errorf("suppliers (-want +got):\n%s", diff)
	}
	if len(rep.CustomerContracts) != 1 || rep.CustomerContracts[0].Periods[0].Status != "ok" || *rep.CustomerContracts[0].Periods[0].Amount != 0 {
		t.Errorf("customer contracts %+v: want acme-web with nothing owed", rep.CustomerContracts)
	}
	wantCredits := Credits{Totals: []Money{{"EUR", 100}}, Due: []CreditDue{{Contract: "cloud", Counterparty: "cloudco", Period: "2026-10",
		Ratio: 0.1, Amount: fptr(100), Currency: "EUR", ClaimBy: "2026-11-30"}}, Unknown: []string{}}
	if diff := cmp.Diff(wantCredits, rep.Summary.SupplierCredits, approx); diff != "" {
		t.Errorf("supplier credits (-want +got):\n%s", diff)
	}
	// Without checkout's data, acme-web's credit is unknown, never "nothing owed".
	src := smallSource(t)
	delete(src.data.Events, "probes/checkout")
	rep, err = buildSmall(t, src, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Summary.CustomerCredits; len(got.Unknown) != 1 || got.Unknown[0] != "acme-web" || len(got.Due) != 0 {
		t.Errorf("customer credits without data %+v, want acme-web unknown", got)
	}
}

func TestCostliestEvents(t *testing.T) {
	rep, err := buildSmall(t, smallSource(t), Request{})
	if err != nil {
		t.Fatal(err)
	}
	// The one bucket of October, on 10 October from 00:00: 15 failed events of a budget of 10.
	want := []Cost{{Kind: costEvents, Start: utc("2026-10-10T00:00:00Z"), End: utc("2026-10-10T01:00:00Z"), Amount: 15, BudgetShare: fptr(1.5)}}
	if diff := cmp.Diff(want, objectiveIn(t, rep, "requests").Costliest, approx, cmpopts.EquateApproxTime(0)); diff != "" {
		t.Errorf("costliest (-want +got):\n%s", diff)
	}
}

func TestSummaryCounts(t *testing.T) {
	rep, err := buildSmall(t, smallSource(t), Request{})
	if err != nil {
		t.Fatal(err)
	}
	// October: requests missed, checkout kept. September: requests kept (99.9%), checkout kept
	// (100 of 100).
	s := rep.Summary
	got := []int{s.Kept, s.Missed, s.NoData, s.PreviousKept, s.PreviousMissed, s.PreviousNoData}
	if diff := cmp.Diff([]int{1, 1, 0, 2, 0, 0}, got); diff != "" {
		t.Errorf("kept, missed, no data, and before (-want +got):\n%s", diff)
	}
	if len(s.Sentences) == 0 || s.Sentences[0].Text != "In October 2026, 1 of 2 promises were kept and 1 missed: requests." {
		t.Errorf("first sentence %+v", s.Sentences)
	}
}

func TestFilters(t *testing.T) {
	names := func(rep *Report) []string {
		var out []string
		for _, s := range rep.Services {
			for _, o := range s.Objectives {
				out = append(out, o.Name)
			}
		}
		for _, c := range allContracts(rep) {
			out = append(out, "contract:"+c.Name)
		}
		return out
	}
	tests := []struct {
		filter Filter
		want   []string
		title  string
	}{
		{Filter{}, []string{"requests", "checkout", "contract:acme-web", "contract:cloud"}, "Service report October 2026"},
		{Filter{Service: "web"}, []string{"checkout", "contract:acme-web"}, "Service report October 2026, service web"},
		{Filter{Customer: "ACME"}, []string{"checkout", "contract:acme-web"}, "Service report October 2026, customer ACME"},
		{Filter{Supplier: "cloudco"}, []string{"requests", "contract:cloud"}, "Service report October 2026, supplier cloudco"},
		{Filter{Contract: "cloud"}, []string{"requests", "contract:cloud"}, "Service report October 2026, contract cloud"},
	}
	for _, tt := range tests {
		rep, err := buildSmall(t, smallSource(t), Request{Filter: tt.filter})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, names(rep)); diff != "" || rep.Title != tt.title {
			t.Errorf("%+v: title %q (-want +got):\n%s", tt.filter, rep.Title, diff)
		}
	}
}

// TestBadInput pins the messages of the requests a report cannot answer: all input errors (HTTP
// 400, exit status 2).
func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"not a period", Request{Period: "2026-13"}, `period "2026-13": there are months 01 to 12; want a month such as 2026-11 or a quarter such as 2026-Q4`},
		{"not begun", Request{Period: "2026-12"}, "period 2026-12 has not begun: it starts 2026-12-01 00:00 UTC"},
		{"no data", Request{Period: "2025-01"}, "period 2025-01 has no data: nothing was frozen for it, and the oldest record held is from 2026-09-10 00:00 UTC"},
		{"unknown service", Request{Filter: Filter{Service: "nope"}}, `service "nope": no objective or KPI belongs to it (services: api, web)`},
		{"unknown customer", Request{Filter: Filter{Customer: "globex"}}, `customer "globex": no objective carries the label customer with that value (customers: acme)`},
		{"unknown supplier", Request{Filter: Filter{Supplier: "hostco"}}, `supplier "hostco": no objective carries the label supplier with that value (suppliers: cloudco)`},
		{"unknown contract", Request{Filter: Filter{Contract: "gold"}}, `contract "gold": no such contract (contracts: acme-web, cloud)`},
		{"two filters", Request{Filter: Filter{Service: "web", Customer: "acme"}}, "give one filter at most: service, customer, supplier or contract"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := buildSmall(t, smallSource(t), tt.req)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n got: %v\nwant: %s", err, tt.want)
			}
			if !IsInputError(err) {
				t.Errorf("%v is not an input error", err)
			}
		})
	}
	// No records at all.
	src := smallSource(t)
	src.data.Events = map[string]*collector.EventCounts{}
	if _, err := buildSmall(t, src, Request{}); err == nil || err.Error() != "period 2026-10 has no data: nothing was frozen for it and no records are held" {
		t.Errorf("no records: %v", err)
	}
	// Nothing evaluated yet is the server's problem, not the request's.
	if _, err := Build(Inputs{Source: src}, Request{}); err == nil || IsInputError(err) {
		t.Errorf("no instant: %v, want a server error", err)
	}
	if _, err := ParseFormat("docx"); err == nil || err.Error() != `format "docx": want csv, html, json, pdf` || !IsInputError(err) {
		t.Errorf("ParseFormat(docx) = %v", err)
	}
}

// TestQuarter: a quarter report rates each month of a monthly contract, and measures the
// objectives over the whole quarter from the records.
func TestQuarter(t *testing.T) {
	src := smallSource(t)
	rep, err := Build(Inputs{Source: src, Now: utc("2027-01-05T00:00:00Z")}, Request{Period: "2026-Q4"})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, p := range rep.Suppliers[0].Periods {
		labels = append(labels, p.Label)
	}
	if diff := cmp.Diff([]string{"2026-10", "2026-11", "2026-12"}, labels); diff != "" {
		t.Errorf("billing periods of Q4 (-want +got):\n%s", diff)
	}
	// Q4: 985 + 1000 good of 2000 = 0.9925, kept over the quarter.
	if got := objectiveIn(t, rep, "requests"); got.Attainment == nil || math.Abs(*got.Attainment-0.9925) > 1e-12 || got.Basis != basisRecomputed {
		t.Errorf("requests over Q4: %v %s, want 0.9925 recomputed", got.Attainment, got.Basis)
	}
	if rep.Period.Name != "Q4 2026" || rep.Previous.Label != "2026-Q3" {
		t.Errorf("period %q, previous %q", rep.Period.Name, rep.Previous.Label)
	}
}
