package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// metricLine returns the line of body that starts with prefix, or "".
func metricLine(body, prefix string) string {
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// TestServeRestart restarts the daemon on its storage: the tickets load from the ticket
// snapshot, and the last published figures are served at once, marked restored, before the
// first evaluation (held back here) and ready; the first evaluation clears the mark. A restart
// under a changed configuration serves nothing until its own evaluation.
func TestServeRestart(t *testing.T) {
	base := readFile(t, "testdata/serve.yml")
	dir := t.TempDir()
	file := writeFile(t, dir, "sla.yml", base)
	storage := "--storage.path=" + dir + "/data"
	const attainment = `sla_attainment_ratio{objective="shop-availability",service="shop"} `
	const lastEval = "sla_last_evaluation_timestamp_seconds "

	d := startDaemon(t, "http", nil, "--config.file="+file, storage)
	d.waitReady()
	d.waitMetric(`sla_source_up{source="demo"} 1`)
	metrics := d.waitMetric(attainment)
	if !hasLine(metrics, "sla_snapshot_restored 0") {
		t.Error("a daemon's own evaluation is not marked sla_snapshot_restored 0")
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	last, evaluated := metricLine(metrics, attainment), metricLine(metrics, lastEval)

	hold := make(chan struct{})
	holdEvaluation = hold
	t.Cleanup(func() { holdEvaluation = nil })
	d = startDaemon(t, "http", nil, "--config.file="+file, storage)
	metrics = d.get("/metrics")
	if !hasLine(metrics, "sla_snapshot_restored 1") {
		t.Errorf("after the restart, before any evaluation: no sla_snapshot_restored 1:\n%.2000s", metrics)
	}
	// The figure is the last one published before the stop, when no evaluation ran between the
	// scrape above and the stop (the rolling window moves: a later one may differ).
	if metricLine(metrics, lastEval) == evaluated {
		if got := metricLine(metrics, attainment); got != last {
			t.Errorf("restored %q, last served before the stop %q", got, last)
		}
	} else {
		t.Logf("evaluated again before the stop: %q, then %q", evaluated, metricLine(metrics, lastEval))
	}
	if code, body, _ := d.request("GET", "/-/ready", nil); code != 200 {
		t.Errorf("/-/ready while serving the restored snapshot: %d %q, want 200", code, body)
	}
	var objs []struct {
		Name     string `json:"name"`
		Restored bool   `json:"restored"`
	}
	if err := json.Unmarshal([]byte(d.get("/api/v1/objectives")), &objs); err != nil || len(objs) != 2 || !objs[0].Restored || !objs[1].Restored {
		t.Errorf("/api/v1/objectives while restored: %+v, %v; want both objectives restored", objs, err)
	}
	if body := d.get("/"); !strings.Contains(body, "Restored:") {
		t.Error("the status page does not say the figures are restored")
	}
	if log := d.stderr.String(); !strings.Contains(log, "loaded from the ticket snapshot") || !strings.Contains(log, "serving the last published snapshot") {
		t.Errorf("the log does not say the tickets and the figures were restored:\n%s", log)
	}
	close(hold)
	metrics = d.waitMetric("sla_snapshot_restored 0")
	if !hasLine(metrics, attainment) {
		t.Error("no attainment after the first evaluation")
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}

	// A changed configuration: the stored figures may mean something else.
	writeFile(t, dir, "sla.yml", strings.Replace(base, "target: 0.99", "target: 0.995", 1))
	holdEvaluation = make(chan struct{})
	d = startDaemon(t, "http", nil, "--config.file="+file, storage)
	metrics = d.get("/metrics")
	if hasLine(metrics, attainment) || hasLine(metrics, "sla_snapshot_restored") {
		t.Errorf("a snapshot of another configuration was served:\n%.2000s", metrics)
	}
	if code, _, _ := d.request("GET", "/-/ready", nil); code != 503 {
		t.Errorf("/-/ready with nothing served: %d, want 503", code)
	}
	if log := d.stderr.String(); !strings.Contains(log, "another configuration") {
		t.Errorf("the log does not say why nothing was restored:\n%s", log)
	}
	close(holdEvaluation)
	d.waitMetric("sla_snapshot_restored 0")
}
