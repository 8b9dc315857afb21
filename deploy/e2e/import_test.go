package e2e

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The specs of TestImportedSpecs, one per tool, over one counter the test serves. Shapes from
// each tool's documentation: Sloth's getting-started example (sloth.dev, prometheus/v1 events
// SLI), Pyrra's ratio indicator (pyrra.dev README, ServiceLevelObjective), OpenSLO's ratioMetric
// with counters (OpenSLO README, SLI and SLO kinds).
const (
	slothSpec = `version: "prometheus/v1"
service: "shop"
slos:
  - name: "requests-availability"
    objective: 99
    description: "Sloth's Prometheus rates over the window."
    sli:
      events:
        error_query: sum(rate(shop_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(shop_requests_total[{{.window}}]))
    alerting:
      name: ShopAvailability
      page_alert: {labels: {severity: page}}
      ticket_alert: {labels: {severity: ticket}}
`
	pyrraSpec = `apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: shop-errors
  namespace: shop
spec:
  target: "95"
  window: 7d
  indicator:
    ratio:
      errors:
        metric: shop_requests_total{code=~"5.."}
      total:
        metric: shop_requests_total
`
	openSLOSpec = `apiVersion: openslo/v1
kind: SLI
metadata:
  name: shop-good
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: Prometheus
        spec:
          query: sum(shop_requests_total{code="200"})
    total:
      metricSource:
        type: Prometheus
        spec:
          query: sum(shop_requests_total)
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: shop-success
spec:
  service: shop
  indicatorRef: shop-good
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.9
`
)

// TestImportedSpecs: a folder of Sloth, Pyrra and OpenSLO specs (and a rules file that is none)
// imported with `import` (auto), included from a main file, accepted by `check` reading the data
// from Debian's Prometheus, and evaluated by `serve`: every objective gets figures, the exact
// forms (Pyrra's counter selectors, OpenSLO's counter queries) the served ratio exactly, Sloth's
// rates within a point. The app serves 9 good and 1 failed request per scrape, so every count is
// in the ratio 9:1 exactly, whatever buckets the figures cover.
func TestImportedSpecs(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED in -short mode: waits for two minutes of scraped data")
	}
	exporter := exporterBinary(t)
	app := newCounterApp(t)
	prom := startPrometheus(t, app.addr, "", "")

	dir := t.TempDir()
	slos := filepath.Join(dir, "slos")
	if err := os.MkdirAll(slos, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, slos, "sloth.yml", slothSpec)
	writeFile(t, slos, "pyrra.yaml", pyrraSpec)
	writeFile(t, slos, "openslo.yaml", openSLOSpec)
	writeFile(t, slos, "rules.yml", "groups: []\n")
	if err := os.MkdirAll(filepath.Join(dir, "conf.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, dir, exporter, "import", "--prometheus-url="+prom.url, "--out=conf.d/imported.yml", "slos")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if !strings.Contains(out, "slos/rules.yml:1: file: not a Sloth, Pyrra or OpenSLO spec") {
		t.Errorf("the import's report does not list the rules file:\n%s", out)
	}
	cfg := writeFile(t, dir, "sla.yml", "global: {evaluation_interval: 5s}\ninclude: [conf.d/*.yml]\n")

	// The prometheus source's step is a minute, and a counter expression's first point has no
	// increase: wait for a whole minute's bucket after the one the first scrape falls in.
	var firstScrape time.Time
	waitFor(t, time.Now().Add(time.Minute), time.Second, "the app scraped", func() (bool, string) {
		n, ok := countScrapes(prom)
		firstScrape = time.Now().Add(-time.Duration(n) * time.Second)
		return ok, ""
	})
	ready := firstScrape.Truncate(time.Minute).Add(2*time.Minute + 20*time.Second)
	waitFor(t, ready.Add(time.Minute), time.Second, "a whole minute of scrapes", func() (bool, string) {
		return time.Now().After(ready), time.Until(ready).String()
	})
	// check reads the data too.
	if out, err := run(t, dir, exporter, "--config.file="+cfg, "check"); err != nil || !strings.HasSuffix(out, ": data OK\n") {
		t.Fatalf("check: %v\n%s", err, out)
	}

	exp := startExporter(t, exporter, "--config.file="+cfg)
	defer func() {
		if t.Failed() {
			body, _ := getText(exp.url + "/api/v1/sources")
			t.Logf("sources: %s", body)
			body, _ = getText(prom.url + "/api/v1/query_range?query=" + url.QueryEscape("sum(shop_requests_total)") + fmt.Sprintf("&start=%d&end=%d&step=15", time.Now().Add(-5*time.Minute).Unix(), time.Now().Unix()))
			t.Logf("prometheus: %s", body)
			t.Logf("exporter log: %s", tail(exp.log(), 40))
		}
	}()
	want := []string{"requests-availability", "shop-errors", "shop-success"}
	waitFor(t, time.Now().Add(2*time.Minute), time.Second, "every imported objective evaluated", func() (bool, string) {
		var objs []struct {
			Name       string   `json:"name"`
			Status     string   `json:"status"`
			Attainment *float64 `json:"attainment"`
			Good, Bad  *float64
		}
		if err := getJSON(exp.url+"/api/v1/objectives", &objs); err != nil {
			return false, err.Error()
		}
		var names []string
		state := ""
		done := true
		for _, o := range objs {
			names = append(names, o.Name)
			if o.Attainment == nil {
				done = false
				state += fmt.Sprintf(" %s: %s, no attainment;", o.Name, o.Status)
				continue
			}
			state += fmt.Sprintf(" %s: %s %.6f;", o.Name, o.Status, *o.Attainment)
		}
		slices.Sort(names)
		if !slices.Equal(names, want) {
			return false, fmt.Sprintf("objectives %v", names)
		}
		if !done {
			return false, state
		}
		for _, o := range objs {
			tolerance := 1e-9 // counted exactly: 9 of 10
			if o.Name == "requests-availability" {
				tolerance = 0.01 // rate() extrapolates inside each bucket
			}
			if math.Abs(*o.Attainment-0.9) > tolerance {
				t.Errorf("%s: attainment %v, the app served 90%% good", o.Name, *o.Attainment)
			}
		}
		t.Logf("evaluated:%s", state)
		return true, ""
	})
}

// counterApp serves shop_requests_total, adding 9 requests with code 200 and 1 with code 500 at
// each scrape.
type counterApp struct {
	addr string
}

func newCounterApp(t *testing.T) *counterApp {
	t.Helper()
	var mu sync.Mutex
	var good, bad int
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		good, bad = good+9, bad+1
		g, b := good, bad
		mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, "# TYPE shop_requests_total counter\nshop_requests_total{code=\"200\"} %d\nshop_requests_total{code=\"500\"} %d\n", g, b)
	}))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return &counterApp{addr: l.Addr().String()}
}

// countScrapes is how many scrapes of the app Prometheus holds (one a second); ok is false
// before the first.
func countScrapes(prom *server) (n float64, ok bool) {
	r, err := promQuery(prom, `count_over_time(shop_requests_total{code="200"}[10m])`)
	if err != nil || len(r.Data.Result) != 1 || len(r.Data.Result[0].Value) != 2 {
		return 0, false
	}
	_, err = fmt.Sscan(fmt.Sprint(r.Data.Result[0].Value[1]), &n)
	return n, err == nil
}
