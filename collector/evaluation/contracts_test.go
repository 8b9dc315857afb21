package evaluation

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// contractConfig is issue 7's hosting contract (below 99.95% → 10%, below 99.9% → 25%, 12,000
// EUR a month) and variants grouping two objectives, over UTC months with three kept.
const contractConfig = `
global: {timezone: UTC, staleness: 1h, history_periods: 3}
sources: [{name: probes, type: demo}]
objectives:
  - {name: hosting, service: hosting, kind: event_ratio, source: probes, series: hosting, target: 0.9995}
  - {name: dns, service: dns, kind: event_ratio, source: probes, series: dns, target: 0.9995}
  - {name: backup, service: backup, kind: event_ratio, source: probes, series: backup, target: 0.9995}
  - {name: mail, service: mail, kind: event_ratio, source: probes, series: mail, target: 0.9995, period: "rolling:30d"}
contracts:
  - name: hostco
    objectives: [hosting]
    tiers: [{below: 0.9995, credit: 0.10}, {below: 0.999, credit: 0.25}]
    fee: 12000
    currency: EUR
  - name: bundle
    objectives: [hosting, dns]
    tiers: [{below: 0.9995, credit: 0.10}, {below: 0.999, credit: 0.25}]
    fee: 12000
    currency: EUR
  - name: bundle-sum
    objectives: [hosting, dns]
    tiers: [{below: 0.9995, credit: 0.10}, {below: 0.999, credit: 0.25}]
    fee: 12000
    currency: EUR
    aggregate: sum
    cap: 0.3
  - name: backup
    objectives: [backup]
    tiers: [{below: 0.9995, credit: 0.10}]
    fee: 500
    currency: EUR
  - name: mail
    objectives: [mail]
    tiers: [{below: 0.9995, credit: 0.10}]
`

// credit is a contract credit as the engine computes it, for the expectations.
func credit(known bool, ratio, amount float64, attainments, perObjective []float64) collector.ContractCredit {
	skipped := 0
	for _, a := range attainments {
		if math.IsNaN(a) {
			skipped++
		}
	}
	return collector.ContractCredit{Result: contract.Result{Known: known, Ratio: ratio, Amount: amount, PerObjective: perObjective, Skipped: skipped}, Attainments: attainments}
}

// TestContracts_ThreeFigures rates hand-built objective results mid-December 2026: each credit
// of the current period (running and forecast) and of the three finished months, with the
// arithmetic.
func TestContracts_ThreeFigures(t *testing.T) {
	cfg := loadConfig(t, contractConfig)
	now := utc("2026-12-15T00:00:00Z")
	nan := math.NaN()
	objs := []collector.ObjectiveResult{
		{
			// December so far 99.88%, forecast 99.89%. November ended at 99.93%; October froze
			// without data; September was never frozen (the store was new in October).
			Result:  slo.Result{Objective: "hosting", HasData: true, Attainment: 0.9988, HasForecast: true, Forecast: 0.9989},
			History: []collector.FrozenPeriod{frozenNoData("2026-10"), frozenMonth("2026-11", 0.9993)},
		},
		{
			// No data in December yet, so no forecast either; all three months frozen.
			Result:  slo.Result{Objective: "dns"},
			History: []collector.FrozenPeriod{frozenMonth("2026-09", 0.999), frozenMonth("2026-10", 0.9999), frozenMonth("2026-11", 0.998)},
		},
		{
			// Stale: the engine's figures (95%, which would earn the credit) are not current.
			Result:  slo.Result{Objective: "backup", HasData: true, Attainment: 0.95, HasForecast: true, Forecast: 0.95},
			History: []collector.FrozenPeriod{frozenMonth("2026-11", 0.9999)},
			Stale:   true,
		},
		{
			// A rolling period: no forecast and no finished periods.
			Result: slo.Result{Objective: "mail", HasData: true, Attainment: 0.9992},
		},
	}
	dec, jan := utc("2026-12-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")
	month := func(label string, cr collector.ContractCredit) collector.ContractPeriod {
		fp := frozenMonth(label, 0)
		return collector.ContractPeriod{Label: label, Start: fp.Start, End: fp.End, ContractCredit: cr}
	}
	unknown1 := credit(false, nan, nan, []float64{nan}, []float64{nan})
	want := []collector.ContractResult{
		{
			Spec: cfg.Contracts[0].Spec, Objectives: []string{"hosting"}, PeriodName: "month",
			PeriodLabel: "2026-12", PeriodStart: dec, PeriodEnd: jan,
			// 99.88% is under 99.9%: 25% × 12,000 = 3,000 EUR if December ended now.
			Running: credit(true, 0.25, 3000, []float64{0.9988}, []float64{0.25}),
			// 99.89% is still under 99.9%: the forecast is 25% too, 3,000 EUR.
			Forecast: credit(true, 0.25, 3000, []float64{0.9989}, []float64{0.25}),
			History: []collector.ContractPeriod{
				month("2026-09", unknown1), // not frozen: unknown, not "nothing owed"
				month("2026-10", unknown1), // frozen without data: unknown
				// 99.93% is under 99.95% but not 99.9%: 10% × 12,000 = 1,200 EUR, the invoice.
				month("2026-11", credit(true, 0.10, 1200, []float64{0.9993}, []float64{0.10})),
			},
			Status: contract.CreditDue,
		},
		{
			Spec: cfg.Contracts[1].Spec, Objectives: []string{"hosting", "dns"}, PeriodName: "month",
			PeriodLabel: "2026-12", PeriodStart: dec, PeriodEnd: jan,
			// dns has no December data: the credit may be anything from hosting's 25% up, so it
			// is unknown, and so is the contract's status.
			Running:  credit(false, nan, nan, []float64{0.9988, nan}, []float64{0.25, nan}),
			Forecast: credit(false, nan, nan, []float64{0.9989, nan}, []float64{0.25, nan}),
			History: []collector.ContractPeriod{
				// 99.9% is under 99.95% (not under 99.9%): dns alone earns 10%, but hosting's
				// September is unknown.
				month("2026-09", credit(false, nan, nan, []float64{nan, 0.999}, []float64{nan, 0.10})),
				month("2026-10", credit(false, nan, nan, []float64{nan, 0.9999}, []float64{nan, 0})),
				// Max of hosting's 10% (99.93%) and dns's 25% (99.8%): 25% × 12,000 = 3,000.
				month("2026-11", credit(true, 0.25, 3000, []float64{0.9993, 0.998}, []float64{0.10, 0.25})),
			},
			Status: contract.Unknown,
		},
		{
			Spec: cfg.Contracts[2].Spec, Objectives: []string{"hosting", "dns"}, PeriodName: "month",
			PeriodLabel: "2026-12", PeriodStart: dec, PeriodEnd: jan,
			Running:  credit(false, nan, nan, []float64{0.9988, nan}, []float64{0.25, nan}),
			Forecast: credit(false, nan, nan, []float64{0.9989, nan}, []float64{0.25, nan}),
			History: []collector.ContractPeriod{
				// 99.9% is under 99.95% (not under 99.9%): dns alone earns 10%, but hosting's
				// September is unknown.
				month("2026-09", credit(false, nan, nan, []float64{nan, 0.999}, []float64{nan, 0.10})),
				month("2026-10", credit(false, nan, nan, []float64{nan, 0.9999}, []float64{nan, 0})),
				// Sum: 10% + 25% = 35%, capped at 30%: 0.3 × 12,000 = 3,600 EUR.
				month("2026-11", credit(true, 0.3, 3600, []float64{0.9993, 0.998}, []float64{0.10, 0.25})),
			},
			Status: contract.Unknown,
		},
		{
			Spec: cfg.Contracts[3].Spec, Objectives: []string{"backup"}, PeriodName: "month",
			PeriodLabel: "2026-12", PeriodStart: dec, PeriodEnd: jan,
			// Stale now: unknown, although the stale figures would earn 10%.
			Running:  unknown1,
			Forecast: unknown1,
			History: []collector.ContractPeriod{
				month("2026-09", unknown1),
				month("2026-10", unknown1),
				// The frozen November stands while the source is stale: 99.99% earns nothing,
				// and that is known.
				month("2026-11", credit(true, 0, 0, []float64{0.9999}, []float64{0})),
			},
			Status: contract.Unknown,
		},
		{
			Spec: cfg.Contracts[4].Spec, Objectives: []string{"mail"}, PeriodName: "rolling:30d",
			// The rolling window is the 30 days to now.
			PeriodLabel: "rolling_30d", PeriodStart: utc("2026-11-15T00:00:00Z"), PeriodEnd: now,
			// 99.92% is under 99.95%: 10%, and no fee, so an amount of 0.
			Running:  credit(true, 0.10, 0, []float64{0.9992}, []float64{0.10}),
			Forecast: unknown1,
			// The forecast is unknown (rolling periods have none): the running credit decides.
			Status: contract.CreditDue,
		},
	}
	got := contracts(cfg, objs, now)
	if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("contracts (-want +got):\n%s", diff)
	}
}

func frozenNoData(label string) collector.FrozenPeriod {
	fp := frozenMonth(label, 0)
	fp.HasData = false
	return fp
}

// TestContracts_Exposition checks what the hostco and bundle contracts of TestContracts_ThreeFigures
// publish: known credits as series, unknown ones as none, and the status.
func TestContracts_Exposition(t *testing.T) {
	cfg := loadConfig(t, contractConfig)
	now := utc("2026-12-15T00:00:00Z")
	objs := []collector.ObjectiveResult{
		{Result: slo.Result{Objective: "hosting", HasData: true, Attainment: 0.9988, HasForecast: true, Forecast: 0.9989},
			History: []collector.FrozenPeriod{frozenNoData("2026-10"), frozenMonth("2026-11", 0.9993)}},
		{Result: slo.Result{Objective: "dns"}, History: []collector.FrozenPeriod{frozenMonth("2026-11", 0.998)}},
	}
	mfs := scrape(t, &collector.Snapshot{At: now, Contracts: contracts(cfg, objs, now)[:2]})
	tests := []struct {
		name   string
		labels map[string]string
		want   float64 // NaN: no series
	}{
		{c.ContractRunningCreditRatio, map[string]string{"contract": "hostco"}, 0.25},
		{c.ContractRunningCreditAmount, map[string]string{"contract": "hostco", "currency": "EUR"}, 3000},
		{c.ContractForecastCreditRatio, map[string]string{"contract": "hostco"}, 0.25},
		{c.ContractForecastCreditAmount, map[string]string{"contract": "hostco", "currency": "EUR"}, 3000},
		{c.ContractPeriodFinalCreditRatio, map[string]string{"contract": "hostco", "period": "2026-11"}, 0.10},
		{c.ContractPeriodFinalCreditAmount, map[string]string{"contract": "hostco", "currency": "EUR", "period": "2026-11"}, 1200},
		{c.ContractPeriodFinalCreditRatio, map[string]string{"contract": "hostco", "period": "2026-10"}, math.NaN()},
		{c.ContractPeriodFinalCreditAmount, map[string]string{"contract": "hostco", "period": "2026-10"}, math.NaN()},
		{c.ContractPeriodFinalCreditRatio, map[string]string{"contract": "hostco", "period": "2026-09"}, math.NaN()},
		{c.ContractStatus, map[string]string{"contract": "hostco", "status": "credit_due"}, 1},
		{c.ContractStatus, map[string]string{"contract": "hostco", "status": "ok"}, 0},
		// dns has no data this month: no running or forecast series for the bundle, not a 0.
		{c.ContractRunningCreditRatio, map[string]string{"contract": "bundle"}, math.NaN()},
		{c.ContractRunningCreditAmount, map[string]string{"contract": "bundle"}, math.NaN()},
		{c.ContractForecastCreditRatio, map[string]string{"contract": "bundle"}, math.NaN()},
		{c.ContractForecastCreditAmount, map[string]string{"contract": "bundle"}, math.NaN()},
		{c.ContractPeriodFinalCreditRatio, map[string]string{"contract": "bundle", "period": "2026-11"}, 0.25},
		{c.ContractStatus, map[string]string{"contract": "bundle", "status": "unknown"}, 1},
		{c.ContractStatus, map[string]string{"contract": "bundle", "status": "ok"}, 0},
	}
	for _, tt := range tests {
		got, ok := sample(mfs, tt.name, tt.labels)
		switch {
		case math.IsNaN(tt.want) && ok:
			t.Errorf("%s%v = %v, want no series", tt.name, tt.labels, got)
		case !math.IsNaN(tt.want) && (!ok || got != tt.want):
			t.Errorf("%s%v = %v (series %v), want %v", tt.name, tt.labels, got, ok, tt.want)
		}
	}
}

// TestEvaluate_ContractCreditSurvivesRestart follows the hostco contract from November's data to
// the invoice on December 3rd, then through a restart over the same store with the data gone:
// November's credit comes from its frozen attainment, not from data that is no longer there.
func TestEvaluate_ContractCreditSurvivesRestart(t *testing.T) {
	cfg := loadConfig(t, contractConfig)
	now := utc("2026-12-03T12:00:00Z")
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := newData()
	// November: 9,993 of 10,000 good = 99.93%. December so far: 9,988 of 10,000 = 99.88%.
	d.Events["probes/hosting"] = eventsOf(t, bucket("2026-11-10T00:00:00Z", 9993, 10000), bucket("2026-12-02T00:00:00Z", 9988, 10000))
	d.LastSuccess["probes"] = now.Add(-time.Minute)
	s := New(cfg, Options{Data: &fakeReader{data: d}, DB: db}).Evaluate(now)
	hostco := s.Contracts[0]
	last, ok := hostco.LastPeriod()
	// 99.93%: 10% × 12,000 = 1,200 EUR for November. December so far 99.88%: 25%, 3,000 EUR.
	if !ok || last.Label != "2026-11" || !last.Known || last.Ratio != 0.10 || last.Amount != 1200 {
		t.Fatalf("November before the restart: %+v, want 10%%, 1,200 EUR", last)
	}
	if !hostco.Running.Known || hostco.Running.Ratio != 0.25 || hostco.Running.Amount != 3000 || hostco.Status != contract.CreditDue {
		t.Errorf("running %+v, status %s: want 25%%, 3,000 EUR, credit_due", hostco.Running, hostco.Status)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart: a new store handle and evaluator; the data is gone (retention, or a source reset
	// that has not synced yet).
	db, err = store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s = New(cfg, Options{Data: &fakeReader{data: newData()}, DB: db}).Evaluate(now)
	hostco = s.Contracts[0]
	last, ok = hostco.LastPeriod()
	if !ok || last.Label != "2026-11" || !last.Known || last.Ratio != 0.10 || last.Amount != 1200 {
		t.Errorf("November after the restart: %+v, want 10%%, 1,200 EUR from the frozen 99.93%%", last)
	}
	// Nothing current is known: the source has not synced since the restart.
	if hostco.Running.Known || hostco.Forecast.Known || hostco.Status != contract.Unknown {
		t.Errorf("after the restart: running known %v, forecast known %v, status %s; want unknown", hostco.Running.Known, hostco.Forecast.Known, hostco.Status)
	}
	mfs := scrape(t, s)
	if v, ok := sample(mfs, c.ContractPeriodFinalCreditAmount, map[string]string{"contract": "hostco", "period": "2026-11"}); !ok || v != 1200 {
		t.Errorf("%s{period=2026-11} = %v (series %v), want 1200", c.ContractPeriodFinalCreditAmount, v, ok)
	}
	if v, ok := sample(mfs, c.ContractRunningCreditRatio, map[string]string{"contract": "hostco"}); ok {
		t.Errorf("%s = %v after the restart, want no series", c.ContractRunningCreditRatio, v)
	}
}
