package evaluation

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/conventions"
)

// replicaData is what two replicas of a shard hold after syncing the same sources: tickets open
// and resolved, request counts, and the sources' last syncs (a replica's own sync times differ,
// but both synced within the staleness limit).
func replicaData(t *testing.T, synced time.Time) collector.Data {
	d := newData()
	d.Tickets["desk"] = storeOf(t,
		responded(tk("INC-1", "incident", "P1", "2026-11-02T10:00:00Z", resolved("2026-11-02T12:00:00Z")), "2026-11-02T10:30:00Z"),
		responded(tk("INC-2", "incident", "P1", "2026-11-13T09:00:00Z"), "2026-11-13T09:20:00Z"),
		tk("INC-3", "incident", "P2", "2026-11-13T11:00:00Z"),
		responded(tk("INC-4", "incident", "P1", "2026-11-10T08:00:00Z", resolved("2026-11-10T15:00:00Z")), "2026-11-10T09:00:00Z"),
	)
	d.Events["probes/requests"] = eventsOf(t, bucket("2026-11-10T00:00:00Z", 98, 100), bucket("2026-11-13T11:00:00Z", 40, 50))
	d.Events["probes/quiet"] = eventsOf(t, bucket("2026-11-12T00:00:00Z", 10, 10))
	d.LastSuccess["desk"] = synced
	d.LastSuccess["probes"] = synced
	return d
}

// publishText is the text exposition of what an evaluator publishes at wall time now, all but
// the families listed in skip.
func publishText(t *testing.T, d collector.Data, now time.Time, align bool, skip ...string) string {
	t.Helper()
	cfg := loadConfig(t, testConfig)
	expo := collector.NewExposition()
	ev := New(cfg, Options{Data: &fakeReader{data: d}, Expo: expo, Now: func() time.Time { return now }, Align: align})
	ev.Publish()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(expo)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, mf := range mfs {
		if strings.Contains(" "+strings.Join(skip, " ")+" ", " "+mf.GetName()+" ") {
			continue
		}
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// TestReplicasPublishIdenticalSeries: two replicas of one shard, over the same data and
// configuration, evaluating 2 s and 27 s into the same 30 s evaluation interval (the default),
// publish byte-identical series, SLA figures and their evaluation timestamp alike: both evaluate
// at the interval's boundary, 12:00:00. Only the evaluation's duration, measured on the wall
// clock, differs; Prometheus keeps either replica's. The same two evaluations unaligned differ
// (the attainment so far, burn rates and open tickets' states move with the instant), which shows
// the comparison can fail.
func TestReplicasPublishIdenticalSeries(t *testing.T) {
	boundary := utc("2026-11-13T12:00:00Z")
	// The replicas synced at different moments, both before evaluating.
	a := publishText(t, replicaData(t, boundary.Add(-40*time.Second)), boundary.Add(2*time.Second), true, conventions.EvaluationDuration)
	b := publishText(t, replicaData(t, boundary.Add(-10*time.Second)), boundary.Add(27*time.Second), true, conventions.EvaluationDuration)
	if a != b {
		t.Errorf("the replicas publish different series:\n%s", lineDiff(a, b))
	}
	for _, family := range []string{conventions.ObjectiveInfo, conventions.Attainment, conventions.BudgetRemainingRatio,
		conventions.BurnRate, conventions.Status, conventions.TicketsOpen, conventions.PeriodEvents, conventions.KPIValue,
		conventions.KPIStatus, conventions.ContractStatus, conventions.LastEvaluation} {
		if !strings.Contains(a, "\n"+family+"{") && !strings.Contains(a, "\n"+family+" ") {
			t.Errorf("no %s series published: the comparison would miss it", family)
		}
	}
	// 2026-11-13T12:00:00Z is 1,794,571,200 s since the epoch; the figures carry it as their
	// sample timestamp, in milliseconds, so that Prometheus writes no staleness marker over a
	// shard's series when one replica dies.
	if want := conventions.LastEvaluation + " 1.7945712e+09 1794571200000"; !strings.Contains(a, want) {
		t.Errorf("the evaluation instant is not the boundary 2026-11-13T12:00:00Z: no %q in\n%s", want, grepLines(a, conventions.LastEvaluation))
	}

	if want := `sla_attainment_ratio{objective="requests",service="api"} `; !strings.Contains(grepLines(a, want), " 1794571200000") {
		t.Errorf("the attainment is not stamped with the evaluation instant: %q", grepLines(a, want))
	}
	if strings.Contains(grepLines(a, conventions.SourceUp), "1794571200000") {
		t.Errorf("a source's health is stamped, but differs between replicas: %q", grepLines(a, conventions.SourceUp))
	}

	ua := publishText(t, replicaData(t, boundary.Add(-40*time.Second)), boundary.Add(2*time.Second), false, conventions.EvaluationDuration, conventions.LastEvaluation)
	ub := publishText(t, replicaData(t, boundary.Add(-10*time.Second)), boundary.Add(27*time.Second), false, conventions.EvaluationDuration, conventions.LastEvaluation)
	if ua == ub {
		t.Error("unaligned evaluations 25 s apart publish the same series: the data does not exercise the alignment")
	}
}

// TestAlignDown checks the boundaries against hand-worked instants: 12:00:27 and 12:00:00 in a
// 30 s interval are at 12:00:00; 12:00:30 starts the next; a 7 s interval counts from the Unix
// epoch (12:00:27 is 1,794,571,227 s = 256,367,318 × 7 + 1, so its boundary is 1 s before).
func TestAlignDown(t *testing.T) {
	for _, tc := range []struct {
		at       string
		interval time.Duration
		want     string
	}{
		{"2026-11-13T12:00:27.9Z", 30 * time.Second, "2026-11-13T12:00:00Z"},
		{"2026-11-13T12:00:00Z", 30 * time.Second, "2026-11-13T12:00:00Z"},
		{"2026-11-13T12:00:30Z", 30 * time.Second, "2026-11-13T12:00:30Z"},
		{"2026-11-13T12:00:27Z", 7 * time.Second, "2026-11-13T12:00:26Z"},
		{"2026-11-13T12:04:59Z", 5 * time.Minute, "2026-11-13T12:00:00Z"},
	} {
		at, _ := time.Parse(time.RFC3339Nano, tc.at)
		if got := alignDown(at, tc.interval); !got.Equal(utc(tc.want)) {
			t.Errorf("alignDown(%s, %s) = %s, want %s", tc.at, tc.interval, got.UTC().Format(time.RFC3339), tc.want)
		}
	}
}

func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out.WriteString("- " + x + "\n+ " + y + "\n")
		}
	}
	return out.String()
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
