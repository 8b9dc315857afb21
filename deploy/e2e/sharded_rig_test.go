package e2e

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// fleetSampler appends an uptime sample per series every second to CSV files (time,series,state),
// each series in the state the test sets: the probes the sharded exporters all read.
type fleetSampler struct {
	sampleLoop
	files  map[string][]string // path → its series
	states map[string]string   // series → up or down; guarded by mu
}

// startFleetSampler writes history seconds of up samples of every series into its file, then a
// sample of each every second until the test ends.
func startFleetSampler(t *testing.T, history time.Duration, files map[string][]string) *fleetSampler {
	t.Helper()
	s := &fleetSampler{files: files, states: map[string]string{}}
	now := time.Now().Unix()
	for path, series := range files {
		var b strings.Builder
		b.WriteString("time,series,state\n")
		for ts := now - int64(history/time.Second); ts <= now; ts++ {
			for _, name := range series {
				fmt.Fprintf(&b, "%d,%s,up\n", ts, name)
				s.states[name] = "up"
			}
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.run(t, s.write)
	return s
}

// write appends one sample of each series to its file, going on to the other files after an
// error and returning the first.
func (s *fleetSampler) write() error {
	ts := time.Now().Unix()
	var first error
	for path, series := range s.files {
		var b strings.Builder
		for _, name := range series {
			fmt.Fprintf(&b, "%d,%s,%s\n", ts, name, s.states[name])
		}
		if err := appendFile(path, b.String()); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// set switches a series' state and writes a sample at once.
func (s *fleetSampler) set(series, state string) time.Time {
	s.mu.Lock()
	s.states[series] = state
	s.mu.Unlock()
	s.sample()
	return time.Now()
}

// replicaTarget is one exporter replica Prometheus scrapes.
type replicaTarget struct {
	shard   int
	replica string
	srv     *server
}

// startVictoriaMetrics runs Debian's single-node VictoriaMetrics on loopback, de-duplicating to
// one sample per second of each series (Prometheus scrapes every second) and showing samples as
// soon as they are written (-search.latencyOffset defaults to 30s).
func startVictoriaMetrics(t *testing.T) *server {
	t.Helper()
	bin := requireTool(t, "victoria-metrics")
	return startServer(t, "victoria-metrics", bin, "/health", time.Minute, func(addr, dir string) []string {
		return []string{"-storageDataPath=" + filepath.Join(dir, "vm"), "-httpListenAddr=" + addr,
			"-dedup.minScrapeInterval=1s", "-search.latencyOffset=0s", "-loggerLevel=WARN"}
	})
}

// startVMAlert runs Debian's vmalert over the rule files against VictoriaMetrics, notifying the
// Alertmanager at amURL and writing recording rules back; every group is evaluated each second.
func startVMAlert(t *testing.T, ruleGlob, vmURL, amURL string) *server {
	t.Helper()
	bin := requireTool(t, "vmalert")
	return startServer(t, "vmalert", bin, "/health", time.Minute, func(addr, dir string) []string {
		return []string{"-rule=" + ruleGlob, "-datasource.url=" + vmURL, "-notifier.url=" + amURL,
			"-remoteWrite.url=" + vmURL, "-remoteWrite.flushInterval=1s", "-httpListenAddr=" + addr,
			"-evaluationInterval=1s", "-external.url=http://" + addr, "-loggerLevel=WARN"}
	})
}

// shardedPrometheusConfig scrapes every replica each second, labelled with its shard and
// replica. Job sla is remote-written to VictoriaMetrics as an HA pair's series are: the replica
// label dropped and instance set to the shard, so that the replicas of a shard write one series
// and VictoriaMetrics keeps one sample per second of it. Job sla-hashmod scrapes the same
// targets, computes each objective's shard with Prometheus' own hashmod relabelling and keeps
// only the series whose objective hashes to the shard serving it (keepequal); it is not
// written to VictoriaMetrics.
func shardedPrometheusConfig(targets []replicaTarget, shards int, vmURL string) string {
	var static strings.Builder
	for _, r := range targets {
		fmt.Fprintf(&static, "      - {targets: [%q], labels: {shard: \"%d\", replica: %q}}\n", r.srv.addr, r.shard, r.replica)
	}
	return fmt.Sprintf(`global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: sla
    static_configs:
%[1]s  - job_name: sla-hashmod
    static_configs:
%[1]s    metric_relabel_configs:
      - {action: keep, source_labels: [__name__], regex: sla_objective_info}
      - {action: hashmod, source_labels: [objective], modulus: %[2]d, target_label: __tmp_objective_shard}
      - {action: keepequal, source_labels: [__tmp_objective_shard], target_label: shard}
remote_write:
  - url: %[3]s/api/v1/write
    queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s}
    write_relabel_configs:
      - {action: keep, source_labels: [job], regex: sla}
      - {source_labels: [shard], target_label: instance, replacement: sla-exporter-shard-$1}
      - {action: labeldrop, regex: replica}
`, static.String(), shards, vmURL)
}

// startShardedPrometheus runs Prometheus with shardedPrometheusConfig.
func startShardedPrometheus(t *testing.T, targets []replicaTarget, shards int, vmURL string) *server {
	t.Helper()
	bin := requireTool(t, "prometheus")
	return startServer(t, "prometheus", bin, "/-/ready", 2*time.Minute, func(addr, dir string) []string {
		path := writeFile(t, dir, "prometheus.yml", shardedPrometheusConfig(targets, shards, vmURL))
		return []string{"--config.file=" + path, "--storage.tsdb.path=" + filepath.Join(dir, "tsdb"),
			"--web.listen-address=" + addr, "--web.external-url=http://" + addr + "/"}
	})
}

// vector is an instant query's answer as label sets (without __name__) → value.
func vector(srv *server, q string) (map[string]string, error) {
	r, err := promQuery(srv, q)
	if err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s: %s %s", q, r.ErrorType, r.Error)
	}
	out := map[string]string{}
	for _, s := range r.Data.Result {
		delete(s.Metric, "__name__")
		out[labelString(s.Metric)] = fmt.Sprint(s.Value[1])
	}
	return out, nil
}

func labelString(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", k, m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// rangeResult is a range query's answer: each series' label string → its points (unix seconds →
// value).
func rangeQuery(srv *server, q string, start, end time.Time, step time.Duration) (map[string]map[int64]string, error) {
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Values [][2]any          `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	u := fmt.Sprintf("%s/api/v1/query_range?query=%s&start=%d&end=%d&step=%s", srv.url, url.QueryEscape(q), start.Unix(), end.Unix(), step)
	if err := getJSON(u, &r); err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s: %s", q, r.Error)
	}
	out := map[string]map[int64]string{}
	for _, s := range r.Data.Result {
		delete(s.Metric, "__name__")
		pts := map[int64]string{}
		for _, v := range s.Values {
			ts, _ := v[0].(float64)
			pts[int64(ts)] = fmt.Sprint(v[1])
		}
		out[labelString(s.Metric)] = pts
	}
	return out, nil
}

// slaLines returns the lines of an exposition that hold figures two replicas must agree on:
// objective, KPI and contract series, and the evaluation instant; and that instant.
func slaLines(body string) (lines []string, at string) {
	for _, l := range strings.Split(body, "\n") {
		switch {
		case strings.HasPrefix(l, "sla_last_evaluation_timestamp_seconds "):
			at = strings.TrimPrefix(l, "sla_last_evaluation_timestamp_seconds ")
			lines = append(lines, l)
		case strings.HasPrefix(l, "#"):
		case strings.Contains(l, `objective="`), strings.HasPrefix(l, "sla_kpi_"), strings.HasPrefix(l, "sla_contract_"):
			lines = append(lines, l)
		}
	}
	return lines, at
}
