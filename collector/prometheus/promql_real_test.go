package prometheus

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/events"
)

// app is the test's HTTP server: request counters by code, a classic latency histogram (bounds
// 0.1, 0.3, 1) and a native one (bucket factor 1.1: schema 3), with the test's own tally.
type app struct {
	requests        *prom.CounterVec
	classic, native prom.Histogram
	good, bad       float64
	latencies       []float64
}

func newApp(t *testing.T) (*app, string) {
	reg := prom.NewRegistry()
	a := &app{
		requests: prom.NewCounterVec(prom.CounterOpts{Name: "app_requests_total", Help: "Requests by code."}, []string{"code"}),
		classic:  prom.NewHistogram(prom.HistogramOpts{Name: "app_request_duration_seconds", Help: "Latency.", Buckets: []float64{0.1, 0.3, 1}}),
		native:   prom.NewHistogram(prom.HistogramOpts{Name: "app_native_duration_seconds", Help: "Latency.", NativeHistogramBucketFactor: 1.1}),
	}
	reg.MustRegister(a.requests, a.classic, a.native)
	// Both codes exist from the first scrape, at 0: every request afterwards is an increase
	// between two scrapes.
	a.requests.WithLabelValues("200").Add(0)
	a.requests.WithLabelValues("500").Add(0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return a, l.Addr().String()
}

// traffic is the test's requests and latencies, in 32 rounds 400ms apart (about 13s, over
// two buckets of 5s): round k serves 3+k%4 good and k%3 bad requests, and observes
// 1+k%3 latencies from a fixed list, so that the buckets' ratios differ.
func (a *app) traffic() {
	lats := []float64{0.05, 0.12, 0.25, 0.31, 0.29, 0.7, 2.0, 0.305}
	for k := range 32 {
		g, b := float64(3+k%4), float64(k%3)
		a.requests.WithLabelValues("200").Add(g)
		a.requests.WithLabelValues("500").Add(b)
		a.good += g
		a.bad += b
		for j := range 1 + k%3 {
			x := lats[(k+j)%len(lats)]
			a.classic.Observe(x)
			a.native.Observe(x)
			a.latencies = append(a.latencies, x)
		}
		time.Sleep(400 * time.Millisecond)
	}
}

// promQuery is the test's own reading of the real server.
func promQuery(t *testing.T, url, q string, at time.Time) model.Vector {
	t.Helper()
	c, err := api.NewClient(api.Config{Address: url})
	if err != nil {
		t.Fatal(err)
	}
	v, _, _, err := v1.NewAPI(c).Query(context.Background(), q, at)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	vec, _ := v.(model.Vector)
	return vec
}

// sums adds up the buckets of a series.
func sums(bs []events.Bucket) (good, total float64) {
	for _, b := range bs {
		good += b.Good
		total += b.Total
	}
	return good, total
}

// TestRealPrometheus_PromQLSLIs runs Debian's Prometheus (2.42, native histograms enabled)
// scraping the test's server every second while it serves known requests and latencies, then
// reads the same SLIs in every form of an events entry and compares them with the test's own
// count; the Sloth form is compared bucket by bucket with Sloth's recording rule, evaluated by
// Prometheus itself (promtool's rule backfill queries the server at each bucket's end).
func TestRealPrometheus_PromQLSLIs(t *testing.T) {
	if testing.Short() {
		t.Skip("scrapes a server for about 25s")
	}
	prometheus := requireProgram(t, "prometheus")
	promtool := requireProgram(t, "promtool")
	a, target := newApp(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n  - job_name: app\n    static_configs: [{targets: ['%s']}]\n", target)), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	begin := time.Now()
	start(t, dir, prometheus, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr,
		"--enable-feature=native-histograms")
	url := "http://" + addr
	waitFor(t, url+"/-/ready")
	// Two scrapes of the zero counters before any request.
	waitUntil(t, func() bool {
		v := promQuery(t, url, `count_over_time(app_requests_total{code="200"}[1m])`, time.Now())
		return len(v) == 1 && v[0].Value >= 2
	})
	a.traffic()
	last := time.Now()
	const step = 5 * time.Second
	// Read up to a bucket end at least 3 scrapes after the last request, once Prometheus holds
	// the final count there.
	var now, end time.Time
	waitUntil(t, func() bool {
		now = time.Now()
		end = now.Add(-time.Second).Truncate(step)
		if end.Sub(last) < 3*time.Second {
			return false
		}
		v := promQuery(t, url, `app_requests_total{code="200"}`, end.Add(-time.Millisecond))
		return len(v) == 1 && float64(v[0].Value) == a.good
	})
	backfill := now.Sub(begin).Truncate(time.Second) + 20*time.Second

	body := fmt.Sprintf("step: 5s\nresolution: 1s\nbackfill: %s\nevents:\n", model.Duration(backfill)) +
		"  - {series: selectors, bad: 'app_requests_total{code=~\"5..\"}', total: app_requests_total}\n" +
		"  - {series: counter, good_query: 'app_requests_total{code!~\"5..\"}', total_query: 'app_requests_total'}\n" +
		"  - series: sloth\n    error_query: 'sum(rate(app_requests_total{code=~\"5..\"}[{{.window}}]))'\n    total_query: 'sum(rate(app_requests_total[{{ .window }}]))'\n" +
		"  - series: raw\n    error_query: '(sum(rate(app_requests_total{code=~\"5..\"}[{{.window}}]))) / (sum(rate(app_requests_total[{{.window}}])))'\n    total_query: vector(1)\n" +
		"  - {series: classic, latency: {metric: 'app_request_duration_seconds{job=\"app\"}', le: 0.3}}\n" +
		"  - {series: native, latency: {metric: app_native_duration_seconds, le: 0.3}}\n" +
		"  - {series: unbound, latency: {metric: app_request_duration_seconds, le: 0.2}}\n"
	src, err := New(block(t, url, body), collector.Options{Name: "prom", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	b := syncOnce(t, src.(*Source), nil)

	// The exact forms equal the test's own count.
	total := a.good + a.bad
	for _, series := range []string{"selectors", "counter"} {
		good, tot := sums(eventBucketsOf(b, series))
		if good != a.good || tot != total {
			t.Errorf("%s: good %v of %v, the test served %v of %v", series, good, tot, a.good, total)
		}
	}
	var fast, inBucket, all float64
	// Schema 3 (the largest whose factor 2^(1/8) = 1.0905 is at most 1.1): 0.3 falls in the
	// bucket (2^(-14/8), 2^(-13/8)] = (0.29730, 0.32421].
	lo, hi := math.Exp2(-14.0/8), math.Exp2(-13.0/8)
	for _, x := range a.latencies {
		all++
		switch {
		case x <= 0.3:
			fast++
		}
		if x > lo && x <= hi {
			inBucket++
		}
	}
	if good, tot := sums(eventBucketsOf(b, "classic")); good != fast || tot != all {
		t.Errorf("classic latency: %v of %v at most 0.3s, the test observed %v of %v", good, tot, fast, all)
	}
	// Native: the observations up to the bucket's lower bound, exactly, and of the bucket's
	// (here 0.305 and 0.31) the share (0.3-lo)/(hi-lo) = 0.1000: approximate by design.
	var below float64
	for _, x := range a.latencies {
		if x <= lo {
			below++
		}
	}
	wantNative := below + inBucket*(0.3-lo)/(hi-lo)
	if good, tot := sums(eventBucketsOf(b, "native")); math.Abs(good-wantNative) > 1e-9 || tot != all {
		t.Errorf("native latency: %v of %v, want %v of %v (exact: %v)", good, tot, wantNative, all, fast)
	}
	// le 0.2 is no bound of the classic histogram: every bucket is refused, none written.
	if bs := eventBucketsOf(b, "unbound"); len(bs) != 0 {
		t.Errorf("unbound: buckets %v", bs)
	}
	refused := 0
	for _, r := range b.Rejected {
		if r.Setting == "prometheus.events[6].latency.le" && strings.Contains(r.Reason, "le 0.2 is not a bucket bound of app_request_duration_seconds") {
			refused++
		} else if !(r.Setting == "prometheus.events[3].error_query" && strings.Contains(r.Reason, "has the rate NaN")) {
			// Sloth's raw ratio is 0/0 where there were no requests: refused, not counted.
			t.Errorf("rejection %+v", r)
		}
	}
	if refused == 0 {
		t.Error("le 0.2 was not refused")
	}

	// Sloth: the recording rule of the 5s window, written by Sloth's events formula
	// (slok/sloth internal/prometheus/recording_rules.go, eventsSLIRecordGenerator:
	// "(<error_query>)\n/\n(<total_query>)" with {{.window}} rendered, labels sloth_id,
	// sloth_service, sloth_slo, sloth_window), evaluated by Prometheus at each bucket end.
	sloth := eventBucketsOf(b, "sloth")
	first, lastEnd := sloth[0].Start.Add(step), sloth[len(sloth)-1].Start.Add(step)
	rules := filepath.Join(dir, "sloth.yml")
	if err := os.WriteFile(rules, []byte(`groups:
  - name: `+alignedGroup(rules, step)+`
    rules:
      - record: slo:sli_error:ratio_rate5s
        expr: |-
          (sum(rate(app_requests_total{code=~"5.."}[5s])))
          /
          (sum(rate(app_requests_total[5s])))
        labels: {sloth_id: app-requests, sloth_service: app, sloth_slo: requests, sloth_window: 5s}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	blocks := filepath.Join(dir, "rules-data")
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "rules", "--url="+url, "--eval-interval=5s",
		"--start="+strconv.FormatInt(first.Unix(), 10), "--end="+strconv.FormatInt(lastEnd.Unix(), 10), "--output-dir="+blocks, rules).CombinedOutput(); err != nil {
		t.Fatalf("promtool tsdb create-blocks-from rules: %v\n%s", err, out)
	}
	// promtool 2.42's dump opens the directory as a database, which needs a WAL.
	if err := os.MkdirAll(filepath.Join(blocks, "wal"), 0o755); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	dump := exec.Command(promtool, "tsdb", "dump", blocks)
	dump.Stderr = &stderr
	out, err := dump.Output()
	if err != nil {
		t.Fatalf("promtool tsdb dump: %v\n%s", err, stderr.String())
	}
	slothRatio := dumpSamples(t, out, "slo:sli_error:ratio_rate5s")
	compared := 0
	var bad, tot float64
	var run []float64 // our error ratios of the last buckets in a row with events
	var runEnd time.Time
	for _, x := range sloth {
		bad += x.Total - x.Good
		tot += x.Total
		r, ok := slothRatio[x.Start.Add(step).UnixMilli()]
		switch {
		case x.Total == 0:
			// Sloth's 0/0 is NaN, or no sample: no ratio to compare.
			if ok && !math.IsNaN(r) {
				t.Errorf("bucket %s: no events here, Sloth's ratio %v", x.Start, r)
			}
			if len(run) < 2 {
				run = nil
			}
			continue
		case !ok:
			t.Errorf("bucket %s: Sloth's rule has no sample at its end", x.Start)
			continue
		}
		ours := (x.Total - x.Good) / x.Total
		t.Logf("bucket %s: error ratio %.15f, Sloth's slo:sli_error:ratio_rate5s %.15f", x.Start.Format("15:04:05"), ours, r)
		if math.Abs(ours-r) > 1e-12*math.Max(1, math.Abs(r)) {
			t.Errorf("bucket %s: error ratio %v, Sloth's %v", x.Start, ours, r)
		}
		compared++
		if !runEnd.IsZero() && !runEnd.Equal(x.Start) {
			run = nil
		}
		run, runEnd = append(run, ours), x.Start.Add(step)
	}
	if compared < 2 {
		t.Errorf("only %d buckets compared with Sloth's rule", compared)
	}
	// Sloth's raw SLI, as the importer writes it (error ratio over total_query vector(1)): each
	// bucket counts the ratio × 5 s of 5 s, so its ratio is Sloth's rule's, bucket by bucket.
	rawCompared := 0
	for _, x := range eventBucketsOf(b, "raw") {
		r, ok := slothRatio[x.Start.Add(step).UnixMilli()]
		if !ok || math.IsNaN(r) {
			t.Errorf("raw bucket %s counted (%v of %v) where Sloth's rule has no ratio", x.Start, x.Good, x.Total)
			continue
		}
		if x.Total != step.Seconds() || math.Abs((x.Total-x.Good)/x.Total-r) > 1e-12 {
			t.Errorf("raw bucket %s: %v good of %v, want %v of 5 bad (Sloth's ratio)", x.Start, x.Good, x.Total, r*5)
		}
		rawCompared++
	}
	if rawCompared != compared {
		t.Errorf("raw: %d buckets compared, the windowed form %d", rawCompared, compared)
	}
	// Sloth's period SLI, its optimized rule (optimizedSLIRecordGenerator):
	// sum_over_time(slo:sli_error:ratio_rate5s[W]) / ignoring (sloth_window)
	// count_over_time(slo:sli_error:ratio_rate5s[W]), the mean of the short window's ratios. The
	// recorded series is the rule's expression at multiples of 5s, which a subquery [W:5s] gives
	// at the same instants, so Prometheus evaluates it here at the end of the run of buckets with
	// events (W one millisecond short of the run, leaving out the ratio before it, which is NaN).
	if len(run) < 2 {
		t.Fatalf("no two buckets in a row with events: %v", sloth)
	}
	ratio := `(sum(rate(app_requests_total{code=~"5.."}[5s]))) / (sum(rate(app_requests_total[5s])))`
	w := promDuration(time.Duration(len(run))*step - time.Millisecond)
	period := promQuery(t, url, fmt.Sprintf("sum_over_time((%s)[%s:5s]) / count_over_time((%s)[%s:5s])", ratio, w, ratio, w), runEnd)
	var mean float64
	for _, r := range run {
		mean += r
	}
	mean /= float64(len(run))
	if len(period) != 1 || math.Abs(float64(period[0].Value)-mean) > 1e-12 {
		t.Errorf("Sloth's period SLI over the last %d buckets: %v; the mean of the buckets' ratios %v", len(run), period, mean)
	} else {
		t.Logf("Sloth's period SLI over %s to %s: %.15f; from the buckets: %.15f", runEnd.Add(-time.Duration(len(run))*step).Format("15:04:05"), runEnd.Format("15:04:05"), float64(period[0].Value), mean)
	}
	// The rates extrapolate: the window form's counts are close to, not equal to, the served.
	t.Logf("sloth form: %.3f errors of %.3f (served %v of %v): error ratio %.5f, exact %.5f", bad, tot, a.bad, total, bad/tot, a.bad/total)
}

// alignedGroup returns a rule group name (Sloth's, with a number) whose evaluations fall on
// multiples of interval since the epoch, as the source's bucket ends do. Prometheus (and
// promtool's rule backfill, cmd/promtool/rules.go) evaluates a group at multiples of its
// interval plus an offset, the hash of its name and file modulo the interval (rules.Group's
// EvalTimestamp: labels {file, name} hashed with xxhash, each name and value followed by 0xff);
// an offset under 400µs vanishes when the server rounds the instant to milliseconds (the API's
// parseTime rounds the fraction of a second to 3 decimals).
func alignedGroup(file string, interval time.Duration) string {
	for n := 0; ; n++ {
		name := fmt.Sprintf("sloth-slo-sli-recordings-app-requests-%d", n)
		h := xxhash.Sum64([]byte("file\xff" + file + "\xffname\xff" + name + "\xff"))
		if h%uint64(interval) < uint64(400*time.Microsecond) {
			return name
		}
	}
}

// dumpSamples reads promtool tsdb dump's lines `{labels} value timestamp` of metric.
func dumpSamples(t *testing.T, out []byte, metric string) map[int64]float64 {
	t.Helper()
	got := map[int64]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, `__name__="`+metric+`"`) {
			continue
		}
		f := strings.Fields(line[strings.LastIndex(line, "}")+1:])
		if len(f) != 2 {
			t.Fatalf("dump line %q", line)
		}
		v, err1 := strconv.ParseFloat(f[0], 64)
		ts, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("dump line %q", line)
		}
		got[ts] = v
	}
	return got
}

// waitUntil polls cond every 200ms for up to 60s (a bound on start-up, not a measurement).
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 60s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
