package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The include tests write a configuration into a folder and load it from there, so that the
// names in errors are the relative ones a person types: sla.yml, conf.d/shop.yml.

// mainFile is the main file of the include tests; line numbers of the expected errors count in
// it (include: on 3, its entry on 4, objective resp's name on 12).
const mainFile = `global:
  timezone: Europe/Rome
include:
  - conf.d/*.yml
calendars:
  - name: office
    hours: {weekdays: ["09:00-17:00"]}
sources:
  - name: desk
    type: demo
objectives:
  - name: resp
    service: desk
    kind: ticket
    source: desk
    clock: response
    targets: {P1: 1h}
    target: 0.95
`

// shopFile is a team's file (objective shop-resp's name on 3, its target on 9).
const shopFile = `# The shop team's objectives.
objectives:
  - name: shop-resp
    service: shop
    kind: ticket
    source: desk
    clock: response
    targets: {P1: 2h}
    target: 0.9
`

// writeTree writes files (slash-separated paths relative to a new folder) and makes that folder
// the working directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

func objectiveNamesOf(cfg *Config) []string {
	var names []string
	for _, o := range cfg.Objectives {
		names = append(names, o.Name)
	}
	return names
}

func TestIncludeErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string // sla.yml is mainFile unless given; conf.d/shop.yml is shopFile unless given ("" leaves it out)
		want  string
	}{
		{name: "error in an included file",
			files: map[string]string{"conf.d/shop.yml": strings.Replace(shopFile, "target: 0.9", "target: 1.5", 1)},
			want:  "conf.d/shop.yml:9: objectives[0].target: 1.5 is not a ratio between 0 and 1 (write 0.015 or 1.5%)"},
		{name: "unknown key in an included file",
			files: map[string]string{"conf.d/shop.yml": strings.Replace(shopFile, "clock:", "clok:", 1)},
			want:  "conf.d/shop.yml:7: objectives[0].clok: unknown field (known: name, service, description, kind, target, period, timezone, source, series, labels, burn_windows, published_history_periods, forecast_window, clock, calendar, targets, pause_on, reopen, warn_at, tool_deadline_field, verdict, native_tolerance, select, escalation, availability, alerting)"},
		{name: "unknown top-level key in an included file",
			files: map[string]string{"conf.d/shop.yml": "objectivs: []\n"},
			want:  "conf.d/shop.yml:1: objectivs: unknown field (known: include, global, calendars, sources, services, objectives, kpis, contracts, reports, staffing)"},
		{name: "reports in an included file are fine, a main-only key is not",
			files: map[string]string{"conf.d/shop.yml": "reports: []\nglobal: {}\n"},
			want:  "conf.d/shop.yml:2: global: only the main configuration file holds global; an included file holds include, calendars, sources, services, objectives, kpis, contracts, reports, staffing"},
		{name: "global in an included file",
			files: map[string]string{"conf.d/shop.yml": shopFile + "global:\n  timezone: UTC\n"},
			want:  "conf.d/shop.yml:10: global: only the main configuration file holds global; an included file holds include, calendars, sources, services, objectives, kpis, contracts, reports, staffing"},
		{name: "staffing group of an included file",
			files: map[string]string{"conf.d/shop.yml": shopFile + "staffing:\n  - {name: g, objective: nope, handle_time: 5m}\n"},
			want:  `conf.d/shop.yml:11: staffing[0].objective: no objective is named "nope"`},
		{name: "syntax error in an included file",
			files: map[string]string{"conf.d/shop.yml": shopFile + "  - name: [\n"},
			want:  "conf.d/shop.yml:10: did not find expected node content"},
		{name: "second document in an included file",
			files: map[string]string{"conf.d/shop.yml": shopFile + "---\nobjectives: []\n"},
			want:  "conf.d/shop.yml:10: a configuration file holds one YAML document; found another"},
		{name: "source block of an included file",
			files: map[string]string{"conf.d/shop.yml": "sources:\n  - name: shop-desk\n    type: demo\n    demo: {seeds: 1}\n"},
			want:  "conf.d/shop.yml:4: sources[0].demo.seeds: unknown field (known: seed, history, scale)"},
		{name: "webhook block of an included file",
			files: map[string]string{"conf.d/shop.yml": "sources:\n  - name: shop-desk\n    type: demo\n    webhook: {signatur: token}\n"},
			want:  "conf.d/shop.yml:4: sources[0].webhook.signatur: unknown field (known: signature, secret_file, header, query, prefix, encoding, timestamp_header)"},
		{name: "objective named twice across files",
			files: map[string]string{"conf.d/shop.yml": strings.Replace(shopFile, "name: shop-resp", "name: resp", 1)},
			want:  `conf.d/shop.yml:3: objectives[0].name: "resp" is used twice: first at sla.yml:12`},
		{name: "source named twice in two included files",
			files: map[string]string{"conf.d/a.yml": "sources:\n  - {name: shop-desk, type: demo}\n",
				"conf.d/shop.yml": "\n\nsources:\n  - name: shop-desk\n    type: demo\n"},
			want: `conf.d/shop.yml:4: sources[0].name: "shop-desk" is used twice: first at conf.d/a.yml:2`},
		{name: "calendar of the main file used twice by an included file",
			files: map[string]string{"conf.d/shop.yml": "calendars:\n  - {name: office}\n"},
			want:  `conf.d/shop.yml:2: calendars[0].name: "office" is used twice: first at sla.yml:6`},
		{name: "glob matching nothing",
			files: map[string]string{"conf.d/shop.yml": ""},
			want:  "sla.yml:4: include[0]: conf.d/*.yml matches no file (write {path: conf.d/*.yml, optional: true} if none is fine)"},
		{name: "glob matching folders only",
			files: map[string]string{"conf.d/shop.yml": "", "conf.d/old.yml/x.yml": shopFile},
			want:  "sla.yml:4: include[0]: conf.d/*.yml matches no file (write {path: conf.d/*.yml, optional: true} if none is fine)"},
		{name: "missing file",
			files: map[string]string{"sla.yml": strings.Replace(mainFile, "conf.d/*.yml", "conf.d/shops.yml", 1)},
			want:  "sla.yml:4: include[0]: conf.d/shops.yml: no such file or directory"},
		{name: "folder without a glob",
			files: map[string]string{"sla.yml": strings.Replace(mainFile, "conf.d/*.yml", "conf.d", 1)},
			want:  "sla.yml:4: include[0]: conf.d is a folder: include its files with a glob such as conf.d/*.yml"},
		{name: "bad glob",
			files: map[string]string{"sla.yml": strings.Replace(mainFile, "conf.d/*.yml", "conf.d/[*.yml", 1)},
			want:  "sla.yml:4: include[0]: conf.d/[*.yml: syntax error in pattern"},
		{name: "empty path",
			files: map[string]string{"sla.yml": strings.Replace(mainFile, "- conf.d/*.yml", "- {optional: true}", 1)},
			want:  "sla.yml:4: include[0]: path is required: a file or a glob such as conf.d/*.yml"},
		{name: "unknown key of an include",
			files: map[string]string{"sla.yml": strings.Replace(mainFile, "- conf.d/*.yml", "- {path: conf.d/*.yml, optionl: true}", 1)},
			want:  "sla.yml:4: include[0].optionl: unknown field (known: path, optional)"},
		{name: "include as a mapping",
			files: map[string]string{"sla.yml": strings.Replace(mainFile, "include:\n  - conf.d/*.yml", "include: {conf.d: yes}", 1)},
			want:  "sla.yml:3: include: conf.d: unknown field (known: path, optional)"},
		{name: "include of a list",
			files: map[string]string{"sla.yml": strings.Replace(mainFile, "- conf.d/*.yml", "- [conf.d/*.yml]", 1)},
			want:  "sla.yml:4: include[0]: an include is a path or glob (conf.d/*.yml), or {path: conf.d/*.yml, optional: true}"},
		{name: "file included twice",
			files: map[string]string{"sla.yml": strings.Replace(mainFile, "- conf.d/*.yml", "- conf.d/*.yml\n  - conf.d/shop.yml", 1)},
			want:  "sla.yml:5: include[1]: conf.d/shop.yml is included already, by sla.yml:4: include[0]: a file is included once"},
		{name: "cycle",
			files: map[string]string{"conf.d/shop.yml": "include: [more/*.yml]\n", "conf.d/more/loop.yml": "include: [../../sla.yml]\n"},
			want:  "conf.d/more/loop.yml:1: include[0]: sla.yml includes itself (sla.yml → conf.d/shop.yml → conf.d/more/loop.yml → sla.yml): includes may not form a cycle"},
		{name: "file including itself",
			files: map[string]string{"conf.d/shop.yml": "include: [shop.yml]\n"},
			want:  "conf.d/shop.yml:1: include[0]: conf.d/shop.yml includes itself (conf.d/shop.yml → conf.d/shop.yml): includes may not form a cycle"},
		{name: "nested include matching nothing",
			files: map[string]string{"conf.d/shop.yml": shopFile + "include: [more/*.yml]\n"},
			want:  "conf.d/shop.yml:10: include[0]: more/*.yml matches no file (write {path: more/*.yml, optional: true} if none is fine)"},
		{name: "unreadable file",
			files: map[string]string{"sla.yml": strings.Replace(mainFile, "conf.d/*.yml", "/proc/self/no-such/x.yml", 1)},
			want:  "sla.yml:4: include[0]: /proc/self/no-such/x.yml: no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"sla.yml": mainFile, "conf.d/shop.yml": shopFile}
			for k, v := range tc.files {
				files[k] = v
				if v == "" {
					delete(files, k)
				}
			}
			writeTree(t, files)
			_, err := LoadFile("sla.yml")
			if err == nil {
				t.Fatal("loaded")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
}

// TestInclude loads a configuration split across folders and checks what came from where.
func TestInclude(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"sla.yml": strings.Replace(mainFile, "  - conf.d/*.yml\n",
			"  - conf.d/*.yml\n  - {path: teams/*.yml, optional: true}\n  - {path: extra.yml, optional: true}\n", 1),
		"conf.d/shop.yml": shopFile + "include: [more/*.yml]\n",
		// Nested: more/ is relative to conf.d/, its source's file to conf.d/more/.
		"conf.d/more/desk.yml": "services:\n  - {name: shop}\n  - {name: desk}\nsources:\n  - name: shop-desk\n    type: demo\n    webhook: {signature: token, secret_file: secret}\n",
		"conf.d/a.yml":         "objectives:\n  - {name: a-resp, service: desk, kind: ticket, source: desk, clock: response, targets: {P1: 5d}, target: 0.9, calendar: office}\n",
		"conf.d/empty.yml":     "# nothing yet\n",
		"conf.d/.#shop.yml":    "not: [a configuration\n", // an editor's lock file
		"conf.d/notes.txt":     "not matched by *.yml\n",
	})
	cfg, err := LoadFile("sla.yml")
	if err != nil {
		t.Fatal(err)
	}
	// The main file's lists first, then each included file's, depth first, globs in name order.
	if diff := cmp.Diff([]string{"resp", "a-resp", "shop-resp"}, objectiveNamesOf(cfg)); diff != "" {
		t.Errorf("objectives (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"sla.yml", "conf.d/a.yml", "conf.d/empty.yml", "conf.d/shop.yml", "conf.d/more/desk.yml"}, cfg.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if cfg.File != "sla.yml" {
		t.Errorf("File %q", cfg.File)
	}
	// Relative paths resolve against the folder of the file that writes them.
	if s := cfg.Sources[1]; s.Name != "shop-desk" || s.Dir != filepath.Join(dir, "conf.d", "more") || s.Webhook.SecretFile != filepath.Join(dir, "conf.d", "more", "secret") {
		t.Errorf("source %s: dir %s, webhook secret %s", s.Name, s.Dir, s.Webhook.SecretFile)
	}
	if s := cfg.Sources[0]; s.Dir != dir {
		t.Errorf("source %s: dir %s, want %s", s.Name, s.Dir, dir)
	}
	// Positions of merged settings are those of the file holding them.
	type where struct {
		File  string
		Line  int
		Field string
	}
	for _, tc := range []struct {
		path []any
		want where
	}{
		{[]any{"objectives", 0, "target"}, where{"sla.yml", 20, "objectives[0].target"}},
		{[]any{"objectives", 2, "target"}, where{"conf.d/shop.yml", 9, "objectives[0].target"}},
		{[]any{"objectives", 1}, where{"conf.d/a.yml", 2, "objectives[0]"}},
		{[]any{"sources", 1, "webhook", "secret_file"}, where{"conf.d/more/desk.yml", 7, "sources[0].webhook.secret_file"}},
		{[]any{"services", 1}, where{"conf.d/more/desk.yml", 3, "services[1]"}},
		{[]any{"global", "timezone"}, where{"sla.yml", 2, "global.timezone"}},
		{[]any{"objectives", 9}, where{"sla.yml", 13, "objectives[9]"}}, // no such objective: the list's line
	} {
		var got where
		got.File, got.Line, got.Field = cfg.Where(tc.path...)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Where%v (-want +got):\n%s", tc.path, diff)
		}
		if line := cfg.Line(tc.path...); line != tc.want.Line {
			t.Errorf("Line%v = %d, want %d", tc.path, line, tc.want.Line)
		}
	}
	// Warnings too: 5d on the office calendar is 120 working hours, not five working days.
	if len(cfg.Warnings) != 1 || !strings.HasPrefix(cfg.Warnings[0], "conf.d/a.yml:2: objectives[0].targets.P1: 5d is 120h of working time") {
		t.Errorf("warnings %q", cfg.Warnings)
	}
}

// TestIncludeAbsolute includes by absolute path: the file is named as written.
func TestIncludeAbsolute(t *testing.T) {
	dir := writeTree(t, map[string]string{"conf.d/shop.yml": strings.Replace(shopFile, "target: 0.9", "target: 0", 1)})
	abs := filepath.Join(dir, "conf.d", "shop.yml")
	writeTree(t, map[string]string{"sla.yml": strings.Replace(mainFile, "conf.d/*.yml", abs, 1)})
	_, err := LoadFile("sla.yml")
	if want := abs + ":9: objectives[0].target: 0 is not a ratio in (0, 1) (99.9% is 0.999)"; err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}

// TestIncludeNames checks that included files are named from the main file's folder as given,
// so that a message's file opens from where the command ran.
func TestIncludeNames(t *testing.T) {
	writeTree(t, map[string]string{
		"etc/sla.yml":            mainFile,
		"etc/conf.d/shop.yml":    strings.Replace(shopFile, "target: 0.9", "target: 1.5", 1),
		"etc/conf.d/.hidden.yml": "global: {}\n",
	})
	_, err := LoadFile("etc/sla.yml")
	if want := "etc/conf.d/shop.yml:9: objectives[0].target: 1.5 is not a ratio between 0 and 1 (write 0.015 or 1.5%)"; err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}

// TestIncludeHash checks that the hash a reload compares sees a file added to a glob, changed,
// renamed or removed, and nothing else.
func TestIncludeHash(t *testing.T) {
	dir := writeTree(t, map[string]string{"sla.yml": mainFile, "conf.d/shop.yml": shopFile})
	hash := func() string {
		t.Helper()
		cfg, err := LoadFile("sla.yml")
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Hash
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]string{}
	step := func(what string) {
		t.Helper()
		h := hash()
		if prev, ok := seen[h]; ok {
			t.Errorf("%s: hash %s as after %s", what, h, prev)
		}
		seen[h] = what
	}
	step("start")
	first := hash()
	if again := hash(); again != first {
		t.Errorf("unchanged files: hash %s, then %s", first, again)
	}
	write("conf.d/desk.yml", "services: []\n")
	step("a file added")
	write("conf.d/desk.yml", "services: [] # a comment\n")
	step("a file changed")
	if err := os.Rename(filepath.Join(dir, "conf.d/desk.yml"), filepath.Join(dir, "conf.d/b.yml")); err != nil {
		t.Fatal(err)
	}
	step("a file renamed")
	if err := os.Remove(filepath.Join(dir, "conf.d/b.yml")); err != nil {
		t.Fatal(err)
	}
	if h := hash(); h != first {
		t.Errorf("back to the first files: hash %s, want %s", h, first)
	}
}

func TestLoadFolder(t *testing.T) {
	team := "objectives:\n  - {name: shop-resp, service: desk, kind: ticket, source: desk, clock: response, targets: {P1: 1h}, target: 0.9}\n"
	main := strings.Replace(mainFile, "include:\n  - conf.d/*.yml\n", "", 1)
	t.Run("one configuration", func(t *testing.T) {
		writeTree(t, map[string]string{"cfg/main.yml": main, "cfg/shop.yaml": team,
			"cfg/.hidden.yml": "global: {}\n", "cfg/README.md": "not a configuration\n", "cfg/old/x.yml": "global: {}\n"})
		cfg, err := LoadFile("cfg")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"resp", "shop-resp"}, objectiveNamesOf(cfg)); diff != "" {
			t.Errorf("objectives (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"cfg/main.yml", "cfg/shop.yaml"}, cfg.Files); diff != "" {
			t.Errorf("files (-want +got):\n%s", diff)
		}
		if cfg.File != "cfg/main.yml" || cfg.Global.Location.String() != "Europe/Rome" {
			t.Errorf("File %s, timezone %s: the main settings are not main.yml's", cfg.File, cfg.Global.Location)
		}
	})
	t.Run("no main file", func(t *testing.T) {
		writeTree(t, map[string]string{"cfg/a.yml": "sources:\n  - {name: desk, type: demo}\n", "cfg/b.yml": team})
		cfg, err := LoadFile("cfg")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.File != "cfg" || cfg.Global.EvaluationInterval != DefaultEvaluationInterval {
			t.Errorf("File %s, evaluation interval %s", cfg.File, cfg.Global.EvaluationInterval)
		}
	})
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"two main files", map[string]string{"cfg/a.yml": main, "cfg/b.yml": "\nglobal: {timezone: UTC}\n"},
			"cfg/b.yml:2: global: cfg/a.yml:1 holds global already: in a configuration folder one file holds the main settings, the others calendars, sources, services, objectives, kpis, contracts, reports, staffing"},
		{"no file", map[string]string{"cfg/README.md": "x"},
			"cfg: a configuration folder holds *.yml or *.yaml files; this one holds none"},
		{"error in a file", map[string]string{"cfg/a.yml": main, "cfg/b.yml": strings.Replace(team, "0.9", "9", 1)},
			"cfg/b.yml:2: objectives[0].target: 9 is not a ratio between 0 and 1 (write 0.09 or 9%)"},
		{"a file of the folder included", map[string]string{"cfg/a.yml": main + "include: [b.yml]\n", "cfg/b.yml": team},
			"cfg/b.yml: included by cfg/a.yml:17: include[0], and in the configuration folder too: a file is read once"},
		{"a file of the folder included by a later one", map[string]string{"cfg/a.yml": team, "cfg/b.yml": main + "include: [a.yml]\n"},
			"cfg/b.yml:17: include[0]: cfg/a.yml is included already, by cfg (the configuration folder): a file is included once"},
		{"global in a file included by one of the folder", map[string]string{"cfg/a.yml": main + "include: [teams/*.yml]\n", "cfg/teams/x.yml": "global: {}\n"},
			"cfg/teams/x.yml:1: global: only the main configuration file holds global; an included file holds include, calendars, sources, services, objectives, kpis, contracts, reports, staffing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeTree(t, tc.files)
			_, err := LoadFile("cfg")
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n got: %v\nwant: %s", err, tc.want)
			}
		})
	}
}

// TestLoadShippedTeams loads the example of a configuration split per team, as a file and as
// a folder.
func TestLoadShippedTeams(t *testing.T) {
	for _, path := range []string{"../../deploy/config/teams/sla_exporter.yml", "../../deploy/config/teams"} {
		cfg, err := LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(cfg.Files) < 3 {
			t.Errorf("%s: files %v: the example shows a main file and team files", path, cfg.Files)
		}
	}
}

// TestIncludeOneEntry takes include: written as one entry rather than a list.
func TestIncludeOneEntry(t *testing.T) {
	for _, entry := range []string{"conf.d/*.yml", "{path: conf.d/*.yml}", "{path: conf.d/shop.yml, optional: true}"} {
		writeTree(t, map[string]string{"sla.yml": strings.Replace(mainFile, "include:\n  - conf.d/*.yml", "include: "+entry, 1), "conf.d/shop.yml": shopFile})
		cfg, err := LoadFile("sla.yml")
		if err != nil {
			t.Fatalf("include: %s: %v", entry, err)
		}
		if diff := cmp.Diff([]string{"resp", "shop-resp"}, objectiveNamesOf(cfg)); diff != "" {
			t.Errorf("include: %s: objectives (-want +got):\n%s", entry, diff)
		}
	}
}
