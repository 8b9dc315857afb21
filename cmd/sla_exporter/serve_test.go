package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// objectiveNames returns the names /api/v1/objectives lists.
func objectiveNames(t *testing.T, body string) []string {
	t.Helper()
	var objs []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(body), &objs); err != nil {
		t.Fatalf("objectives: %v\n%s", err, body)
	}
	var names []string
	for _, o := range objs {
		names = append(names, o.Name)
	}
	return names
}

func namesAre(want ...string) func(string) bool {
	return func(body string) bool {
		var objs []struct {
			Name string `json:"name"`
		}
		if json.Unmarshal([]byte(body), &objs) != nil || len(objs) != len(want) {
			return false
		}
		for i, o := range objs {
			if o.Name != want[i] {
				return false
			}
		}
		return true
	}
}

// brokenConfig is refused by the loader (a target above 100%).
func brokenConfig(t *testing.T, base string) string {
	t.Helper()
	broken := strings.Replace(base, "target: 0.99", "target: 1.5", 1)
	if broken == base {
		t.Fatal("testdata/serve.yml has no target: 0.99 to break")
	}
	return broken
}

func TestServe(t *testing.T) {
	base := readFile(t, "testdata/serve.yml")
	file := writeFile(t, t.TempDir(), "sla.yml", base)
	d := startDaemon(t, "http", nil, "--config.file="+file)
	d.waitReady()

	// The first sync of the demo source lands, then the evaluation after it.
	metrics := d.waitMetric(`sla_attainment_ratio{objective="shop-availability",service="shop"} `)
	d.waitMetric(`sla_source_up{source="demo"} 1`)
	for _, want := range []string{"sla_exporter_build_info{", "sla_config_last_reload_successful 1", "sla_objective_info{", "sla_http_requests_rejected_total 0", "go_goroutines ", "process_start_time_seconds "} {
		if !hasLine(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, path := range []string{"/", "/-/healthy", "/api/v1/objectives/response/tickets?state=open", "/api/v1/objectives/response/tickets?format=csv"} {
		d.get(path)
	}
	if got := objectiveNames(t, d.get("/api/v1/objectives")); !slices.Equal(got, []string{"response", "shop-availability"}) {
		t.Fatalf("objectives %v", got)
	}

	// SIGHUP with a broken configuration: refused, the running one kept.
	writeFile(t, filepath.Dir(file), "sla.yml", brokenConfig(t, base))
	d.sighup()
	d.waitMetric("sla_config_last_reload_successful 0")
	if got := objectiveNames(t, d.get("/api/v1/objectives")); !slices.Equal(got, []string{"response", "shop-availability"}) {
		t.Errorf("after a refused reload, objectives %v", got)
	}
	if !hasLine(d.get("/metrics"), `sla_attainment_ratio{objective="shop-availability",service="shop"} `) {
		t.Error("after a refused reload, the old objectives' metrics are gone")
	}
	if log := d.stderr.String(); !strings.Contains(log, "configuration refused") || !strings.Contains(log, "objectives[1].target: 1.5 is not a ratio") {
		t.Errorf("the log does not say why the configuration was refused:\n%s", log)
	}

	// SIGHUP with a valid changed configuration: one objective renamed.
	writeFile(t, filepath.Dir(file), "sla.yml", strings.Replace(base, "name: shop-availability", "name: webshop-availability", 1))
	d.sighup()
	d.waitMetric("sla_config_last_reload_successful 1")
	d.waitFor("/api/v1/objectives", "the renamed objective", namesAre("response", "webshop-availability"))
	metrics = d.waitMetric(`sla_attainment_ratio{objective="webshop-availability",service="shop"} `)
	if strings.Contains(metrics, `objective="shop-availability"`) {
		t.Error("the objective renamed away is still in /metrics")
	}

	// POST /-/reload does the same.
	writeFile(t, filepath.Dir(file), "sla.yml", brokenConfig(t, base))
	code, body, err := d.request("POST", "/-/reload", nil)
	if err != nil || code != 500 || !strings.Contains(body, file+":") || !strings.Contains(body, "1.5 is not a ratio") {
		t.Errorf("POST /-/reload of a broken configuration: %d %v %q, want 500 naming the file and the problem", code, err, body)
	}
	if !hasLine(d.get("/metrics"), "sla_config_last_reload_successful 0") {
		t.Error("refused POST reload: sla_config_last_reload_successful is not 0")
	}
	if got := objectiveNames(t, d.get("/api/v1/objectives")); !slices.Equal(got, []string{"response", "webshop-availability"}) {
		t.Errorf("after a refused POST reload, objectives %v", got)
	}
	writeFile(t, filepath.Dir(file), "sla.yml", strings.Replace(base, "name: response", "name: first-response", 1))
	if code, body, err := d.request("POST", "/-/reload", nil); err != nil || code != 200 {
		t.Errorf("POST /-/reload: %d %v %q", code, err, body)
	}
	if !hasLine(d.get("/metrics"), "sla_config_last_reload_successful 1") {
		t.Error("POST reload: sla_config_last_reload_successful is not 1")
	}
	d.waitFor("/api/v1/objectives", "the renamed objectives", namesAre("first-response", "shop-availability"))
	d.get("/api/v1/objectives/first-response/tickets")
	if code, _, _ := d.request("GET", "/api/v1/objectives/response/tickets", nil); code != 404 {
		t.Errorf("tickets of the objective renamed away: %d, want 404", code)
	}
	if code, _, _ := d.request("GET", "/-/reload", nil); code != 405 {
		t.Errorf("GET /-/reload: %d, want 405", code)
	}
	// Reloading an unchanged file succeeds.
	if code, _, _ := d.request("POST", "/-/reload", nil); code != 200 {
		t.Errorf("POST /-/reload of an unchanged file: %d", code)
	}

	start := time.Now()
	if err := d.stop(); err != nil {
		t.Errorf("run returned %v after its context ended", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("shutdown took %s", time.Since(start))
	}
	if _, _, err := d.request("GET", "/-/healthy", nil); err == nil {
		t.Error("still serving after run returned")
	}
}

// TestServeDemo serves the built-in demo: it cannot be reloaded, by signal or request, and says so.
func TestServeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("syncs the demo's 100 days")
	}
	d := startDaemon(t, "http", nil)
	d.waitReady()
	if code, body, _ := d.request("POST", "/-/reload", nil); code != 403 || !strings.Contains(body, "built-in demo") {
		t.Errorf("POST /-/reload on the demo: %d %q", code, body)
	}
	d.sighup()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(d.stderr.String(), "SIGHUP ignored") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(d.stderr.String(), "SIGHUP ignored") {
		t.Error("SIGHUP on the demo is not logged as ignored")
	}
	if body := d.get("/"); !strings.Contains(body, "built-in demo") {
		t.Error("the status page does not say it serves the built-in demo")
	}
	if err := d.stop(); err != nil {
		t.Error(err)
	}
}

func TestServeErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sla.yml", readFile(t, "testdata/serve.yml"))
	// Something that is not a folder where the storage folder should be.
	notDir := writeFile(t, dir, "file", "")
	// A port in use.
	busy := startDaemon(t, "http", nil, "--config.file="+cfg)
	addr := strings.TrimPrefix(busy.base, "http://")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad config", []string{"serve", "--config.file=" + writeFile(t, dir, "bad.yml", "global: {colour: red}\n")}, "bad.yml:1: global.colour: unknown field"},
		{"missing config", []string{"serve", "--config.file=" + filepath.Join(dir, "missing.yml")}, "no such file or directory"},
		{"storage", []string{"serve", "--config.file=" + cfg, "--storage.path=" + filepath.Join(notDir, "data")}, "not a directory"},
		{"port in use", []string{"serve", "--config.file=" + cfg, "--storage.path=" + t.TempDir(), "--web.listen-address=" + addr}, "address already in use"},
		{"negative max requests", []string{"serve", "--config.file=" + cfg, "--storage.path=" + t.TempDir(), "--web.max-requests=-1"}, "--web.max-requests: -1 is negative; 0 means no limit"},
		{"missing web config", []string{"serve", "--config.file=" + cfg, "--storage.path=" + t.TempDir(), "--web.config.file=" + filepath.Join(dir, "web.yml")}, "web.yml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--web.listen-address=") }) {
				args = append(args, "--web.listen-address=127.0.0.1:0")
			}
			_, _, err := runCmd(t, args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
	if err := busy.stop(); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat("data"); err == nil {
		t.Error("a test created ./data: a serve without --storage.path ran")
	}
}

// TestHTTPServerTimeouts checks that a slow or idle client cannot hold a connection for ever.
func TestHTTPServerTimeouts(t *testing.T) {
	srv := httpServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Errorf("timeouts: read header %s, read %s, write %s, idle %s; want them all set",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	if srv.ErrorLog == nil {
		t.Error("the server's errors go to the standard logger, not the configured one")
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes %d", srv.MaxHeaderBytes)
	}
}
