package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// teamFile is a team's file of the include tests: one availability objective of the shop.
func teamFile(name string, target string) string {
	return "objectives:\n  - name: " + name + "\n    service: shop\n    kind: availability\n    source: demo\n    series: webshop\n    target: " + target + "\n    period: rolling:1d\n"
}

// TestServeInclude reloads a configuration whose objectives live in included files: a file
// added, changed and removed is picked up by SIGHUP and POST /-/reload, and a broken one is
// refused with the running configuration kept and the error naming the included file's line.
func TestServeInclude(t *testing.T) {
	dir := t.TempDir()
	base := readFile(t, "testdata/serve.yml")
	// The main file keeps the response objective; the shop's lives in conf.d/.
	main, _, ok := strings.Cut(base, "  - name: shop-availability\n")
	if !ok {
		t.Fatal("testdata/serve.yml has no shop-availability objective to move")
	}
	main += "include:\n  - conf.d/*.yml\n"
	file := writeFile(t, dir, "sla.yml", main)
	if err := os.Mkdir(filepath.Join(dir, "conf.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	confd := filepath.Join(dir, "conf.d")
	writeFile(t, confd, "shop.yml", teamFile("shop-availability", "0.99"))
	d := startDaemon(t, "http", nil, "--config.file="+file)
	d.waitReady()
	if got := objectiveNames(t, d.get("/api/v1/objectives")); !slices.Equal(got, []string{"response", "shop-availability"}) {
		t.Fatalf("objectives %v", got)
	}
	reload := func(wantCode int) string {
		t.Helper()
		code, body, err := d.request("POST", "/-/reload", nil)
		if err != nil || code != wantCode {
			t.Fatalf("POST /-/reload: %d %v %q, want %d", code, err, body, wantCode)
		}
		return body
	}

	// A file added to the glob: its objective appears (SIGHUP, as a configuration manager would send).
	writeFile(t, confd, "api.yml", teamFile("api-availability", "0.995"))
	d.sighup()
	d.waitFor("/api/v1/objectives", "the added file's objective", namesAre("response", "api-availability", "shop-availability"))
	d.waitMetric(`sla_objective_info{`)

	// A broken included file: refused, the running configuration kept, the error naming the
	// file and line at fault.
	writeFile(t, confd, "api.yml", strings.Replace(teamFile("api-availability", "0.995"), "series:", "serie:", 1))
	body := reload(500)
	if want := filepath.Join(confd, "api.yml") + ":6: objectives[0].serie: unknown field"; !strings.Contains(body, want) {
		t.Errorf("refused reload says %q, want it to name %s", body, want)
	}
	if !hasLine(d.get("/metrics"), "sla_config_last_reload_successful 0") {
		t.Error("refused reload: sla_config_last_reload_successful is not 0")
	}
	if got := objectiveNames(t, d.get("/api/v1/objectives")); !slices.Equal(got, []string{"response", "api-availability", "shop-availability"}) {
		t.Errorf("after a refused reload, objectives %v", got)
	}
	// A file added that repeats a name: refused, both places named.
	writeFile(t, confd, "api.yml", teamFile("api-availability", "0.995"))
	writeFile(t, confd, "zz.yml", teamFile("shop-availability", "0.9"))
	body = reload(500)
	if want := filepath.Join(confd, "zz.yml") + `:2: objectives[0].name: "shop-availability" is used twice: first at ` + filepath.Join(confd, "shop.yml") + ":2"; !strings.Contains(body, want) {
		t.Errorf("refused reload says %q, want %s", body, want)
	}
	if err := os.Remove(filepath.Join(confd, "zz.yml")); err != nil {
		t.Fatal(err)
	}

	// A file changed: its objective's target follows.
	writeFile(t, confd, "shop.yml", teamFile("shop-availability", "0.95"))
	reload(200)
	if !hasLine(d.get("/metrics"), "sla_config_last_reload_successful 1") {
		t.Error("reload: sla_config_last_reload_successful is not 1")
	}
	d.waitFor("/metrics", "the changed target", func(body string) bool {
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, "sla_objective_target_ratio{") && strings.Contains(l, `objective="shop-availability"`) && strings.HasSuffix(l, " 0.95") {
				return true
			}
		}
		return false
	})

	// A file removed: its objective goes.
	if err := os.Remove(filepath.Join(confd, "api.yml")); err != nil {
		t.Fatal(err)
	}
	reload(200)
	d.waitFor("/api/v1/objectives", "the removed file's objective gone", namesAre("response", "shop-availability"))
	// The last file removed: the glob matches nothing, which is refused (not optional).
	if err := os.Remove(filepath.Join(confd, "shop.yml")); err != nil {
		t.Fatal(err)
	}
	if body := reload(500); !strings.Contains(body, file+":29: include[0]: conf.d/*.yml matches no file") {
		t.Errorf("refused reload says %q", body)
	}
	if got := objectiveNames(t, d.get("/api/v1/objectives")); !slices.Equal(got, []string{"response", "shop-availability"}) {
		t.Errorf("after a refused reload, objectives %v", got)
	}
}

// TestCheckFolder checks a configuration given as a folder, after the command or with
// --config.file, and an error in one of its files.
func TestCheckFolder(t *testing.T) {
	dir := t.TempDir()
	base := readFile(t, "testdata/serve.yml")
	main, _, _ := strings.Cut(base, "  - name: shop-availability\n")
	writeFile(t, dir, "main.yml", main)
	writeFile(t, dir, "shop.yaml", teamFile("shop-availability", "0.99"))
	writeFile(t, dir, "notes.txt", "not a configuration")
	for _, args := range [][]string{{"check", "--syntax-only", dir}, {"check", "--syntax-only", "--config.file=" + dir}} {
		stdout, _, err := runCmd(t, args...)
		if want := filepath.Join(dir, "main.yml") + ": configuration OK: 1 sources, 2 objectives, 0 KPIs, 0 contracts from 2 files\n"; err != nil || !strings.HasPrefix(stdout, want) || !strings.Contains(stdout, ": series at most 80: ") {
			t.Errorf("%v: %v\n got: %q\nwant: %q", args, err, stdout, want)
		}
	}
	if _, _, err := runCmd(t, "check", "--config.file=other.yml", dir); err == nil || !strings.Contains(err.Error(), "name two configurations") {
		t.Errorf("two configurations named: %v", err)
	}
	writeFile(t, dir, "shop.yaml", teamFile("shop-availability", "2"))
	_, _, err := runCmd(t, "check", "--syntax-only", dir)
	if want := filepath.Join(dir, "shop.yaml") + ":7: objectives[0].target: 2 is not a ratio between 0 and 1 (write 0.02 or 2%)"; err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}

// TestCheckIncludedSourceData checks that check's data report names a source written in an
// included file at its own file and line.
func TestCheckIncludedSourceData(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "sla.yml", "include: [team.yml]\n")
	writeFile(t, dir, "team.yml", "# the team's source\nsources:\n  - name: demo\n    type: demo\n    demo: {seed: 3, history: 1d}\n")
	stdout, _, err := runCmd(t, "check", filepath.Join(dir, "sla.yml"))
	if want := filepath.Join(dir, "team.yml") + `:3: sources[0] "demo": read `; err != nil || !strings.Contains(stdout, want) {
		t.Errorf("check: %v\n%s\nwant a line starting %s", err, stdout, want)
	}
}
