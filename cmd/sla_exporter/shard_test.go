package main

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// shardTestConfig is testdata/serve.yml's two objectives on two sources. Their shards of 3, by
// `printf %s NAME | md5sum` (last 16 hex digits mod 3, i.e. their digit sum mod 3, as 16 ≡ 1):
// response ...c3ba8cfe0a2c1bfe → 0, shop-availability ...b879585980a50edc → 1; shard 2 is empty.
func shardTestConfig(t *testing.T) string {
	t.Helper()
	base := readFile(t, "testdata/serve.yml")
	cfg := strings.Replace(base, `sources:
  - name: demo`, `sources:
  - name: probes
    type: demo
    interval: 1m
    timeout: 30s
    demo: {seed: 7, history: 3d}
  - name: demo`, 1)
	cfg = strings.Replace(cfg, "    source: demo\n    series: webshop", "    source: probes\n    series: webshop", 1)
	if cfg == base || !strings.Contains(cfg, "source: probes") {
		t.Fatal("testdata/serve.yml is not what shardTestConfig edits")
	}
	return writeFile(t, t.TempDir(), "sla.yml", cfg)
}

func TestCheckShardAssignment(t *testing.T) {
	file := shardTestConfig(t)
	stdout, _, err := runCmd(t, "check", "--syntax-only", "--config.file="+file, "--shard.count=3")
	if err != nil {
		t.Fatal(err)
	}
	want := file + `: configuration OK: 2 sources, 2 objectives, 0 KPIs, 0 contracts
` + file + `: series at most 80: objectives 80 (ticket 43, availability 37, event_ratio 0), KPIs 0, contracts 0, costs 0; plus each source's and the exporter's own (docs/configuration.md, "Series budget")
shard assignment (3 shards, hashmod of the name):
  shard 0	objective	response
  shard 1	objective	shop-availability
  shard 0: 1 objectives, 0 KPIs, 0 contracts; syncs demo
  shard 1: 1 objectives, 0 KPIs, 0 contracts; syncs probes
  shard 2: 0 objectives, 0 KPIs, 0 contracts; syncs none
`
	if stdout != want {
		t.Errorf("check --shard.count=3 printed\n%s\nwant\n%s", stdout, want)
	}
	// With an index, the shard's part is checked, its data included.
	stdout, _, err = runCmd(t, "check", "--config.file="+file, "--shard.count=3", "--shard.index=1")
	if err != nil || !strings.Contains(stdout, "shard 1 of 3: 1 sources, 1 objectives, 0 KPIs, 0 contracts\n") ||
		!strings.Contains(stdout, `sources[0] "probes": read `) || strings.Contains(stdout, `"demo": read`) || !strings.HasSuffix(stdout, ": data OK\n") {
		t.Errorf("check --shard.index=1: %v, printed\n%s", err, stdout)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--shard.index=1"}, "--shard.index 1 needs --shard.count"},
		{[]string{"--shard.count=3", "--shard.index=3"}, "--shard.index 3: want 0 to 2 (--shard.count is 3)"},
		{[]string{"--shard.count=-1"}, "--shard.count: -1 is negative"},
	} {
		for _, cmd := range []string{"check", "serve"} {
			_, _, err := runCmd(t, append([]string{cmd, "--config.file=" + file}, tc.args...)...)
			if err == nil || err.Error() != tc.want {
				t.Errorf("%s %v: %v, want %s", cmd, tc.args, err, tc.want)
			}
		}
	}
}

var lastEvaluationRE = regexp.MustCompile(`(?m)^sla_last_evaluation_timestamp_seconds (\S+) (\d+)$`)

// TestServeShard serves shard 1 of 3: its one objective, its one source (the other is never
// started, so it has no sla_source_up), evaluations at multiples of the 5 s interval; a reload
// keeps the shard.
func TestServeShard(t *testing.T) {
	file := shardTestConfig(t)
	d := startDaemon(t, "http", nil, "--config.file="+file, "--shard.count=3", "--shard.index=1")
	d.waitReady()
	d.waitMetric(`sla_attainment_ratio{objective="shop-availability",service="shop"} `)
	if got := objectiveNames(t, d.get("/api/v1/objectives")); !slices.Equal(got, []string{"shop-availability"}) {
		t.Errorf("shard 1 serves %v, want shop-availability alone", got)
	}
	d.waitMetric(`sla_source_up{source="probes"} 1`)
	metrics := d.get("/metrics")
	if strings.Contains(metrics, `source="demo"`) || strings.Contains(metrics, `objective="response"`) {
		t.Errorf("shard 1 publishes another shard's source or objective:\n%s", grep(metrics, `"demo"|"response"`))
	}
	m := lastEvaluationRE.FindStringSubmatch(metrics)
	if m == nil {
		t.Fatalf("no sla_last_evaluation_timestamp_seconds stamped with its instant:\n%s", grep(metrics, "sla_last_evaluation"))
	}
	at, err := strconv.ParseFloat(m[1], 64)
	if err != nil || at != float64(int64(at)) || int64(at)%5 != 0 {
		t.Errorf("evaluated at %s, want a multiple of the 5 s evaluation interval", m[1])
	}
	d.sighup()
	d.waitMetric("sla_config_last_reload_successful 1")
	if got := objectiveNames(t, d.get("/api/v1/objectives")); !slices.Equal(got, []string{"shop-availability"}) {
		t.Errorf("after a reload shard 1 serves %v", got)
	}
	if !strings.Contains(d.stderr.String(), `msg="serving one shard, evaluating at the evaluation interval's boundaries" shard=1 shards=3 objectives=1`) {
		t.Errorf("the log does not say which shard is served:\n%s", d.stderr.String())
	}
}

func grep(s, pattern string) string {
	re := regexp.MustCompile(pattern)
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if re.MatchString(l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
