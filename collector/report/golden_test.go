package report

import (
	"bytes"
	"context"
	"testing"
)

// TestDemoGolden pins the demo's report of November 2026 as JSON: the figures a BI tool reads.
// Its spot checks below are hand-checked against the engine's own figures so that an -update
// cannot bless a wrong number unnoticed.
func TestDemoGolden(t *testing.T) {
	rep := mustDemoReport(t, Request{})
	var buf bytes.Buffer
	if err := Render(context.Background(), &buf, rep, JSON); err != nil {
		t.Fatal(err)
	}
	golden(t, "demo-2026-11.json", buf.Bytes())

	// The same inputs give the same report, byte for byte.
	var again bytes.Buffer
	if err := Render(context.Background(), &again, mustDemoReport(t, Request{}), JSON); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("two builds of the same report differ")
	}

	if rep.Period.Label != "2026-11" || rep.Previous.Label != "2026-10" || rep.Period.InProgress {
		t.Errorf("period %s (in progress %v), previous %s; want 2026-11, finished, and 2026-10", rep.Period.Label, rep.Period.InProgress, rep.Previous.Label)
	}
	hosting := objectiveIn(t, rep, "hosting-availability")
	// 2,553,600 good seconds and 2,160 bad: 2553600 / 2555760 = 0.99915485..., under the
	// 99.95% target: missed, and in hostco's first tier (below 99.95%: 10%).
	if hosting.Attainment == nil || *hosting.Attainment < 0.999154 || *hosting.Attainment > 0.999155 || hosting.Verdict != verdictMissed {
		t.Errorf("hosting-availability: %v %s, want 0.999154.. missed", hosting.Attainment, hosting.Verdict)
	}
	if len(rep.Suppliers) != 1 || len(rep.Suppliers[0].Periods) != 1 {
		t.Fatalf("suppliers %+v: want hostco-hosting's November", rep.Suppliers)
	}
	nov := rep.Suppliers[0].Periods[0]
	// 10% of the 12,000 EUR fee is 1,200 EUR. November ends 2026-12-01 00:00 CET; two months on
	// is 2027-02-01 00:00 CET, so the claim is due by 31 January 2027.
	if nov.Ratio == nil || *nov.Ratio != 0.1 || nov.Amount == nil || *nov.Amount != 1200 || nov.ClaimBy != "2027-01-31" {
		t.Errorf("hostco November: ratio %v amount %v claim by %q; want 0.1, 1200, 2027-01-31", nov.Ratio, nov.Amount, nov.ClaimBy)
	}
	if nov.ClaimDeadline == nil || !nov.ClaimDeadline.Equal(utc("2027-01-31T23:00:00Z")) {
		t.Errorf("hostco claim deadline %v, want 2027-02-01 00:00 CET", nov.ClaimDeadline)
	}
}

func objectiveIn(t *testing.T, rep *Report, name string) Objective {
	t.Helper()
	for _, s := range rep.Services {
		for _, o := range s.Objectives {
			if o.Name == name {
				return o
			}
		}
	}
	t.Fatalf("objective %s not in the report", name)
	return Objective{}
}
