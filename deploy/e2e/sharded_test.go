package e2e

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/rules"
)

// shardedScenario: four availability objectives split over two shards. Their shards by
// Prometheus' hashmod (`printf %s NAME | md5sum`, the last 16 hex digits modulo 2, i.e. whether
// the last digit is odd): shop-availability ...edc and db-availability ...4 are even (shard 0),
// web-availability ...ff1 and api-availability ...f odd (shard 1); TestHashMod in
// collector/config holds the sums. db-availability alone reads the db source, so shard 1 never
// syncs it. The page tier is alert_test's: 1m/30s over a rolling day at 99%, firing about 17 s
// into a full outage. Evaluations every 2 s, aligned to the interval: replicas agree on the instant.
const shardedScenario = `
global:
  evaluation_interval: 2s
  alerting:
    burn_rates:
      - {long: 1m, short: 30s, budget: 0.02, severity: page}
sources:
  - name: probes
    type: file
    interval: 1s
    timeout: 1s
    file: {path: probes.csv, content: uptime, columns: {time: time, series: series, state: state}, time: {layout: unix}}
  - name: db
    type: file
    interval: 1s
    timeout: 1s
    file: {path: db.csv, content: uptime, columns: {time: time, series: series, state: state}, time: {layout: unix}}
services:
  - name: web
objectives:
  - {name: web-availability, service: web, kind: availability, source: probes, series: web, target: 0.99, period: "rolling:1d", availability: {slice: 1s, max_sample_age: 5s}}
  - {name: api-availability, service: web, kind: availability, source: probes, series: api, target: 0.99, period: "rolling:1d", availability: {slice: 1s, max_sample_age: 5s}}
  - {name: shop-availability, service: web, kind: availability, source: probes, series: shop, target: 0.99, period: "rolling:1d", availability: {slice: 1s, max_sample_age: 5s}}
  - {name: db-availability, service: web, kind: availability, source: db, series: db, target: 0.99, period: "rolling:1d", availability: {slice: 1s, max_sample_age: 5s}}
`

// shardOf is the scenario's assignment, worked out by hand (above).
var shardOf = map[string]string{"shop-availability": "0", "db-availability": "0", "web-availability": "1", "api-availability": "1"}

// webBurn is the page burn alert of the objective the outage hits, as vmalert sends it: no
// replica and no replica's address among its labels.
var webBurn = map[string]string{"alertname": rules.AlertBurn, "objective": "web-availability", "severity": "page", rules.LabelBurnTier: "1m_30s"}

// TestShardedHA runs two shards of two replicas each of the exporter on loopback, Debian's
// Prometheus scraping the four and remote-writing to Debian's VictoriaMetrics (de-duplicating),
// Debian's vmalert evaluating the rules `sla_exporter rules` generates against VictoriaMetrics and
// notifying Debian's Alertmanager, whose receivers post to a webhook the test counts calls of.
// It checks that every objective is served by exactly one shard, the one Prometheus' hashmod
// names, by both its replicas; that the replicas of a shard publish identical figures for the
// same evaluation instant; that an outage of one shard's objective is notified exactly once;
// and that killing one replica of that shard changes no figure VictoriaMetrics returns, leaves
// the alert firing in vmalert and sends no other notification. It takes about two minutes and
// runs with `make test-distributed` (SLA_DISTRIBUTED=1); CI=true makes a missing program a failure.
func TestShardedHA(t *testing.T) {
	if os.Getenv("SLA_DISTRIBUTED") == "" {
		t.Skip("SKIPPED unless SLA_DISTRIBUTED=1: the distributed test (about two minutes) runs with make test-distributed")
	}
	for _, tool := range []string{"prometheus", "promtool", "alertmanager", "victoria-metrics", "vmalert"} {
		requireTool(t, tool)
	}
	exporter := exporterBinary(t)
	begin := time.Now()
	dir := t.TempDir()
	cfgPath := writeFile(t, dir, "sla.yml", shardedScenario)
	samples := startFleetSampler(t, 3*time.Minute, map[string][]string{
		filepath.Join(dir, "probes.csv"): {"web", "api", "shop"},
		filepath.Join(dir, "db.csv"):     {"db"},
	})

	// The rules of the whole configuration, checked by promtool and by vmalert's dry run.
	rulesDir := filepath.Join(dir, "rules")
	generateRules(t, exporter, cfgPath, rulesDir)
	vmalertBin := requireTool(t, "vmalert")
	if out, err := run(t, dir, vmalertBin, "-rule="+filepath.Join(rulesDir, "*.yml"), "-dryRun"); err != nil {
		t.Fatalf("vmalert -dryRun refuses the generated rules: %v\n%s", err, out)
	}

	vm := startVictoriaMetrics(t)
	hook := newWebhook(t)
	am := startAlertmanager(t, hook.srv.URL)
	var replicas []replicaTarget
	for shard := range 2 {
		for _, replica := range []string{"a", "b"} {
			srv := startExporter(t, exporter, "--config.file="+cfgPath, "--shard.count=2", fmt.Sprintf("--shard.index=%d", shard))
			replicas = append(replicas, replicaTarget{shard: shard, replica: replica, srv: srv})
		}
	}
	prom := startShardedPrometheus(t, replicas, 2, vm.url)
	vmalert := startVMAlert(t, filepath.Join(rulesDir, "*.yml"), vm.url, am.url)
	t.Logf("servers ready after %s: VictoriaMetrics %s, Prometheus %s, vmalert %s, Alertmanager %s",
		time.Since(begin).Round(time.Millisecond), vm.url, prom.url, vmalert.url, am.url)

	checkShardAssignment(t, prom, vm)
	checkReplicasAgree(t, replicas[2].srv, replicas[3].srv)

	// Nothing fires while every probe is up.
	time.Sleep(5 * time.Second)
	if n := hook.notifications(); len(n) > 0 {
		t.Fatalf("notified while every probe was up:\n%s", hook.dump())
	}

	// The outage: shard 1's web-availability goes down; its page alert is notified once.
	down := samples.set("web", "down")
	t.Logf("outage of web starts at +%s", down.Sub(begin).Round(time.Second))
	waitFor(t, time.Now().Add(90*time.Second), 250*time.Millisecond, "the page burn alert of web-availability to be notified", func() (bool, string) {
		n, a, ok := hook.find("firing", webBurn)
		if !ok {
			return false, "not yet"
		}
		t.Logf("notified %s into the outage, to %s, labels %v", n.at.Sub(down).Round(time.Millisecond), n.path, a.Labels)
		if a.Labels["instance"] != "sla-exporter-shard-1" || a.Labels["replica"] != "" || a.Labels["shard"] != "1" {
			t.Errorf("the alert's labels name a replica rather than the shard: %v", a.Labels)
		}
		return true, ""
	})
	// A few group intervals for a duplicate.
	time.Sleep(5 * time.Second)
	if got := countFiring(hook, webBurn); got != 1 {
		t.Fatalf("the burn alert was notified firing %d times, want exactly once:\n%s", got, hook.dump())
	}

	// Kill replica a of shard 1 while the alert fires.
	before, err := vector(vm, `sla_attainment_ratio`)
	if err != nil {
		t.Fatal(err)
	}
	killed := replicas[2]
	if err := killed.srv.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-killed.srv.done
	kill := time.Now()
	t.Logf("killed shard 1 replica a at +%s", kill.Sub(begin).Round(time.Second))
	watchUntil := kill.Add(20 * time.Second)
	for time.Now().Before(watchUntil) {
		alerts, err := vmalertAlerts(vmalert)
		if err != nil {
			t.Fatal(err)
		}
		if state, ok := alerts[labelString(webBurn)]; !ok || state != "firing" {
			t.Fatalf("%s after the kill, vmalert's burn alert is %q, want firing throughout; alerts: %v", time.Since(kill).Round(time.Millisecond), state, alerts)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got, n := countFiring(hook, webBurn), len(hook.notifications()); got != 1 || n != 1 {
		t.Errorf("after the kill: %d notifications, %d with the burn alert firing; want just the first:\n%s", n, got, hook.dump())
	}
	checkFiguresAcrossKill(t, prom, vm, kill, before)
	t.Logf("sharded HA run done in %s", time.Since(begin).Round(time.Second))
}

// checkShardAssignment: VictoriaMetrics holds each objective once (the replicas' series merged),
// from the shard the hand-worked hashmod names; Prometheus sees it from both replicas of that
// shard and from no other, and its own hashmod relabelling agrees for all eight series; the db
// source is synced by shard 0 alone.
func checkShardAssignment(t *testing.T, prom, vm *server) {
	t.Helper()
	want := map[string]string{}
	for o, s := range shardOf {
		want[labelString(map[string]string{"objective": o, "shard": s})] = "2"
	}
	waitFor(t, time.Now().Add(time.Minute), 500*time.Millisecond, "Prometheus to see every objective from both replicas of its shard", func() (bool, string) {
		got, err := vector(prom, `count by (objective, shard) (sla_objective_info{job="sla"})`)
		if err != nil {
			return false, err.Error()
		}
		return fmt.Sprint(got) == fmt.Sprint(want), fmt.Sprint(got)
	})
	waitFor(t, time.Now().Add(30*time.Second), 500*time.Millisecond, "Prometheus' hashmod to agree with the exporters' shards", func() (bool, string) {
		got, err := vector(prom, `count(sla_objective_info{job="sla-hashmod"})`)
		return err == nil && got["{}"] == "8", fmt.Sprint(got, err)
	})
	for o, s := range shardOf {
		want[labelString(map[string]string{"objective": o, "shard": s})] = "1"
	}
	waitFor(t, time.Now().Add(30*time.Second), 500*time.Millisecond, "VictoriaMetrics to hold each objective once, from its shard", func() (bool, string) {
		got, err := vector(vm, `count by (objective, shard) (sla_objective_info)`)
		if err != nil {
			return false, err.Error()
		}
		return fmt.Sprint(got) == fmt.Sprint(want), fmt.Sprint(got)
	})
	got, err := vector(prom, `count by (shard) (sla_source_up{job="sla", source="db"})`)
	if err != nil || fmt.Sprint(got) != `map[{shard="0"}:2]` {
		t.Errorf("the db source is synced by %v (%v), want shard 0's two replicas alone", got, err)
	}
}

// checkReplicasAgree reads both replicas' /metrics until they have published identical figures
// for three evaluation instants.
func checkReplicasAgree(t *testing.T, a, b *server) {
	t.Helper()
	agreed := map[string]bool{}
	differed := 0
	waitFor(t, time.Now().Add(45*time.Second), 300*time.Millisecond, "the replicas of shard 1 to publish identical figures for three evaluation instants", func() (bool, string) {
		ba, err := getText(a.url + "/metrics")
		if err != nil {
			return false, err.Error()
		}
		bb, err := getText(b.url + "/metrics")
		if err != nil {
			return false, err.Error()
		}
		la, atA := slaLines(ba)
		lb, atB := slaLines(bb)
		if atA == "" || atA != atB {
			return false, fmt.Sprintf("instants %q and %q", atA, atB)
		}
		if !slices.Equal(la, lb) {
			differed++
			return false, fmt.Sprintf("at %s the replicas differ:\n%s", atA, lineDiff(la, lb))
		}
		agreed[atA] = true
		return len(agreed) >= 3, fmt.Sprintf("agreed at %v", agreed)
	})
	t.Logf("replicas agreed at %d instants (%d reads caught one re-evaluating an instant with newer data)", len(agreed), differed)
}

func lineDiff(a, b []string) string {
	var out strings.Builder
	for _, l := range a {
		if !slices.Contains(b, l) {
			out.WriteString("- " + l + "\n")
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			out.WriteString("+ " + l + "\n")
		}
	}
	return out.String()
}

func countFiring(hook *webhook, labels map[string]string) int {
	n := 0
	for _, nt := range hook.notifications() {
		for _, a := range nt.payload.Alerts {
			if a.Status == "firing" && subset(labels, a.Labels) {
				n++
			}
		}
	}
	return n
}

// vmalertAlerts lists vmalert's active alerts: the label set of each (the labels webBurn
// names) → its state.
func vmalertAlerts(srv *server) (map[string]string, error) {
	var r struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := getJSON(srv.url+"/api/v1/alerts", &r); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, a := range r.Data.Alerts {
		sel := map[string]string{}
		for k := range webBurn {
			if v, ok := a.Labels[k]; ok {
				sel[k] = v
			}
		}
		out[labelString(sel)] = a.State
	}
	return out, nil
}

// checkFiguresAcrossKill: every objective's attainment has a value in VictoriaMetrics at every
// second around the kill (no gap), and each value is one a live replica of its shard published
// at that second (Prometheus keeps each replica's series apart); the shard that lost a replica
// still publishes.
func checkFiguresAcrossKill(t *testing.T, prom, vm *server, kill time.Time, before map[string]string) {
	t.Helper()
	start, end := kill.Add(-10*time.Second), kill.Add(15*time.Second)
	got, err := rangeQuery(vm, `sla_attainment_ratio`, start, end, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	reps, err := rangeQuery(prom, `sla_attainment_ratio{job="sla"}`, start, end, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(before) || len(got) != 4 {
		t.Errorf("VictoriaMetrics holds %d attainment series around the kill, %d before it, want 4: %v", len(got), len(before), got)
	}
	steps := int(end.Unix()-start.Unix()) + 1
	for series, pts := range got {
		if len(pts) != steps {
			var missing []string
			for ts := start.Unix(); ts <= end.Unix(); ts++ {
				if _, ok := pts[ts]; !ok {
					missing = append(missing, time.Unix(ts, 0).Sub(kill).String())
				}
			}
			t.Errorf("%s has no value in VictoriaMetrics at %v from the kill", series, missing)
		}
		for ts, v := range pts {
			var published []string
			for rs, rpts := range reps {
				if sameObjective(rs, series) {
					published = append(published, rpts[ts])
				}
			}
			if !slices.ContainsFunc(published, func(p string) bool { return sameFloat(p, v) }) {
				t.Errorf("%s at %s from the kill is %s in VictoriaMetrics, which no replica published then (%v)", series, time.Unix(ts, 0).Sub(kill), v, published)
			}
		}
	}
}

// sameFloat compares values as VictoriaMetrics writes them (12 significant digits) with those
// Prometheus writes (the shortest exact form).
func sameFloat(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	return errA == nil && errB == nil && math.Abs(x-y) <= 1e-11*math.Max(1, math.Abs(x))
}

// sameObjective reports whether two label strings name the same objective.
func sameObjective(a, b string) bool {
	obj := func(s string) string {
		i := strings.Index(s, `objective="`)
		if i < 0 {
			return ""
		}
		s = s[i+len(`objective="`):]
		return s[:strings.IndexByte(s, '"')]
	}
	return obj(a) != "" && obj(a) == obj(b)
}
