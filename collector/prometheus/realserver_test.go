package prometheus

import (
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/prometheus/promsim"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// requireProgram returns the path of a program, or skips the test loudly; with CI set it fails
// it instead: CI must run deploy/ci/install-tools.sh first.
func requireProgram(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if p := filepath.Join("/usr/bin", name); isExecutable(p) {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed, and CI is set: a missing program is a failure there. CI must run deploy/ci/install-tools.sh before the tests.", name)
	}
	bar := strings.Repeat("!", 100)
	t.Log(bar)
	t.Logf("!!! SKIPPING %s: %s is not installed (looked on PATH and in /usr/bin).", t.Name(), name)
	t.Log("!!! This test checks the prometheus source against the real server. Install it with: sudo deploy/ci/install-tools.sh")
	t.Log("!!! (with CI=1 set, this skip is a FAILURE)")
	t.Log(bar)
	t.SkipNow()
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode()&0o111 != 0
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs a server for the test's duration; its output goes to a file the test names when
// it fails. It is stopped with SIGTERM (then killed) at cleanup.
func start(t *testing.T, dir, bin string, args ...string) {
	t.Helper()
	logPath := filepath.Join(dir, filepath.Base(bin)+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr, cmd.Dir = logFile, logFile, dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("%s output:\n%s", filepath.Base(bin), b)
		}
	})
}

// waitFor polls url until it answers 200 (a start-up bound, not a measurement).
func waitFor(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 within 60s: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// realData is what the real servers are loaded with: probe_success of instances a (probeData,
// then up) and b (down from scrape 20 to 23), and the request counters of instance a.
func realData() []promsim.Series {
	b := repeat(1, 40)
	for k := 20; k < 24; k++ {
		b[k] = 0
	}
	return append([]promsim.Series{
		probeOf(map[string]string{"instance": "a"}, cat(probeData, repeat(1, 20))...),
		probeOf(map[string]string{"instance": "b"}, b...),
	}, requestSeries("a", t0)...)
}

// realBlock reads both kinds of series, fanned out by instance, over the slices 10:00 to 10:07.
const realBlock = "backfill: 7m\nlookback_delta: 20s\n" +
	"availability:\n  - {series_label: instance, query: probe_success}\n" +
	"events:\n  - {series_label: instance, good: 'http_requests_total{code!~\"5..\"}', total: http_requests_total}\n"

// realNow is when the real servers are read: 10:07:20, so the slices end at 10:07.
var realNow = at(7*time.Minute + 20*time.Second)

// wantReal is the batch of realBlock over realData, by hand:
//   - a: slices 0-4 as in TestAvailability_HandChecked; slices 5 and 6 read scrapes 19-26, all
//     up; then the closing Unknown at 10:07;
//   - b: slice 0 misses its first evaluation; slice 5 reads scrapes 19-22 = 1 0 0 0 (Up at
//     10:05:00, Down at 10:05:15), slice 6 reads 23-26 = 0 1 1 1 (Up 10:06:00, Down 10:06:45);
//   - the events of a: wantBuckets (the lookback of 30s, two resolutions, keeps every scrape's
//     predecessor);
//   - the rejection of a's slice 10:03 (a scrape of 2).
func wantReal() collector.Batch {
	return collector.Batch{
		Uptime: []collector.UptimeSeries{
			{Series: "a", Samples: []availability.Sample{up(at(0)), unknown(at(45 * time.Second)), up(at(time.Minute)), down(at(90 * time.Second)),
				up(at(2 * time.Minute)), unknown(at(3 * time.Minute)), up(at(4 * time.Minute)), unknown(at(4*time.Minute + 15*time.Second)),
				up(at(5 * time.Minute)), up(at(6 * time.Minute)), unknown(at(7 * time.Minute))}},
			{Series: "b", Samples: []availability.Sample{up(at(0)), unknown(at(45 * time.Second)), up(at(time.Minute)), up(at(2 * time.Minute)),
				up(at(3 * time.Minute)), up(at(4 * time.Minute)), up(at(5 * time.Minute)), down(at(5*time.Minute + 15*time.Second)),
				up(at(6 * time.Minute)), down(at(6*time.Minute + 45*time.Second)), unknown(at(7 * time.Minute))}},
		},
		Events: []collector.EventSeries{{Series: "a", Buckets: wantBuckets}},
		Rejected: []collector.Rejection{{
			Where:   "series a slice 2026-03-02T10:03:00Z",
			Reason:  "1 of 4 evaluations are neither 0 nor 1 (NaN, 2, -1 ...)",
			Rule:    "availability evaluations must be one value, 0 or 1, per series",
			Setting: "prometheus.availability[0].query",
		}},
		Checkpoint: []byte(`{"end":"2026-03-02T10:07:00Z"}`),
	}
}

// checkReal syncs realBlock against url and compares with the hand expectation.
func checkReal(t *testing.T, url string) {
	t.Helper()
	now := realNow
	src, err := New(block(t, url, realBlock), collector.Options{Name: "prom", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	b := syncOnce(t, src.(*Source), nil)
	if diff := cmp.Diff(wantReal(), b); diff != "" {
		t.Errorf("batch (-want +got):\n%s", diff)
	}
}

// TestRealData_Simulated runs the same data through promsim, to tell a difference of the real
// servers from one of the data.
func TestRealData_Simulated(t *testing.T) {
	for _, v2 := range []bool{false, true} {
		sim := promsim.New()
		defer sim.Close()
		sim.V2, sim.Series = v2, realData()
		checkReal(t, sim.URL)
	}
}

// TestRealVictoriaMetrics loads realData into Debian's VictoriaMetrics through its Prometheus
// text import (with timestamps) and reads it with the source.
func TestRealVictoriaMetrics(t *testing.T) {
	bin := requireProgram(t, "victoria-metrics")
	dir := t.TempDir()
	addr := freeAddr(t)
	// latencyOffset 0s: samples are visible at once (the default hides the last 30s);
	// maxStalenessInterval 20s: a series reads as gone 20s after its last sample, as
	// Prometheus with --query.lookback-delta=20s.
	start(t, dir, bin, "-storageDataPath="+filepath.Join(dir, "data"), "-httpListenAddr="+addr, "-retentionPeriod=100y",
		"-search.latencyOffset=0s", "-search.maxStalenessInterval=20s", "-search.disableCache")
	url := "http://" + addr
	waitFor(t, url+"/health")

	var sb strings.Builder
	for _, s := range realData() {
		labels := labelText(s.Labels)
		for _, x := range s.Samples {
			fmt.Fprintf(&sb, "%s %s %d\n", labels, strconv.FormatFloat(x.V, 'f', -1, 64), x.T.UnixMilli())
		}
	}
	resp, err := http.Post(url+"/api/v1/import/prometheus", "text/plain", strings.NewReader(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("import: %s", resp.Status)
	}
	if resp, err := http.Get(url + "/internal/force_flush"); err == nil {
		resp.Body.Close()
	}
	checkReal(t, url)
}

// TestRealPrometheus writes realData as OpenMetrics, turns it into TSDB blocks with promtool
// (offline, as for a backfill), and reads it from Debian's Prometheus (2.42 on Debian 12:
// closed range windows) started on those blocks.
func TestRealPrometheus(t *testing.T) {
	prom := requireProgram(t, "prometheus")
	promtool := requireProgram(t, "promtool")
	dir := t.TempDir()
	var sb strings.Builder
	families := map[string][]promsim.Series{}
	for _, s := range realData() {
		families[s.Labels["__name__"]] = append(families[s.Labels["__name__"]], s)
	}
	for _, name := range slices.Sorted(maps.Keys(families)) {
		family, kind := name, "gauge"
		if f, ok := strings.CutSuffix(name, "_total"); ok {
			family, kind = f, "counter"
		}
		fmt.Fprintf(&sb, "# TYPE %s %s\n", family, kind)
		for _, s := range families[name] {
			labels := labelText(s.Labels)
			for _, x := range s.Samples {
				fmt.Fprintf(&sb, "%s %s %s\n", labels, strconv.FormatFloat(x.V, 'f', -1, 64), strconv.FormatFloat(float64(x.T.UnixMilli())/1000, 'f', 3, 64))
			}
		}
	}
	sb.WriteString("# EOF\n")
	om := filepath.Join(dir, "data.om")
	if err := os.WriteFile(om, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", om, data).CombinedOutput(); err != nil {
		t.Fatalf("promtool tsdb create-blocks-from openmetrics: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global: {scrape_interval: 15s}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	start(t, dir, prom, "--config.file="+cfg, "--storage.tsdb.path="+data, "--web.listen-address="+addr,
		"--storage.tsdb.retention.time=100y", "--query.lookback-delta=20s")
	url := "http://" + addr
	waitFor(t, url+"/-/ready")
	checkReal(t, url)
}

// labelText writes a label set as the text formats do: name{k="v",...}.
func labelText(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if k != "__name__" {
			parts = append(parts, k+"="+strconv.Quote(labels[k]))
		}
	}
	return labels["__name__"] + "{" + strings.Join(parts, ",") + "}"
}
