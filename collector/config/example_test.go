package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector/blackbox"
	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/collector/file"
	"github.com/sla-exporter/sla_exporter/collector/gatus"
	"github.com/sla-exporter/sla_exporter/collector/github"
	"github.com/sla-exporter/sla_exporter/collector/gitlab"
	"github.com/sla-exporter/sla_exporter/collector/jira"
	"github.com/sla-exporter/sla_exporter/collector/probe"
	"github.com/sla-exporter/sla_exporter/collector/prometheus"
	"github.com/sla-exporter/sla_exporter/collector/redmine"
	"github.com/sla-exporter/sla_exporter/collector/rt"
	"github.com/sla-exporter/sla_exporter/collector/servicenow"
	"github.com/sla-exporter/sla_exporter/collector/sources"
	"github.com/sla-exporter/sla_exporter/collector/statuspage"
	"github.com/sla-exporter/sla_exporter/collector/uptimekuma"
	"github.com/sla-exporter/sla_exporter/collector/zabbix"
	"github.com/sla-exporter/sla_exporter/collector/zendesk"
)

// deploy/config/example.yml claims to show every option. TestExampleIsComplete holds it to that:
// it lists every key the decoder accepts, from the decoder's own types, and wants each in the
// example at its place. A key added to a raw type, to a source kind's configuration or to
// rawSource's switch fails the test until the example shows it; adding it to the example is all
// the test asks.
//
// Keys are dotted paths from the top of the file, with lists left out of the path (an
// objective's alerting block is objectives.alerting, every objective counting), and "*" for a
// key that is the user's to choose (a map's keys).

// modulePath is the module's import path, to tell its types from other modules'.
const modulePath = "github.com/sla-exporter/sla_exporter"

// exampleFile is the example the test holds to completeness.
const exampleFile = "../../deploy/config/example.yml"

// kindConfigs are the configuration types of the source kinds, for the keys of each kind's
// block (sources.<kind>). A kind compiled in without an entry here fails the test.
var kindConfigs = map[string]reflect.Type{
	"blackbox":    reflect.TypeFor[blackbox.Config](),
	"demo":        reflect.TypeFor[demo.Config](),
	"file":        reflect.TypeFor[file.Config](),
	"gatus":       reflect.TypeFor[gatus.Config](),
	"github":      reflect.TypeFor[github.Config](),
	"gitlab":      reflect.TypeFor[gitlab.Config](),
	"jira":        reflect.TypeFor[jira.Config](),
	"probe":       reflect.TypeFor[probe.Config](),
	"prometheus":  reflect.TypeFor[prometheus.Config](),
	"redmine":     reflect.TypeFor[redmine.Config](),
	"rt":          reflect.TypeFor[rt.Config](),
	"servicenow":  reflect.TypeFor[servicenow.Config](),
	"statuspage":  reflect.TypeFor[statuspage.Config](),
	"uptime_kuma": reflect.TypeFor[uptimekuma.Config](),
	"zabbix":      reflect.TypeFor[zabbix.Config](),
	"zendesk":     reflect.TypeFor[zendesk.Config](),
}

var yamlUnmarshaler = reflect.TypeFor[yaml.Unmarshaler]()

// keyWalker lists the keys a type accepts, as yaml.v3 decodes it.
type keyWalker struct {
	t    *testing.T
	keys []string
	// switches caches, per type with an UnmarshalYAML method, the keys its switch handles.
	switches map[reflect.Type][]string
}

func (w *keyWalker) add(path string) {
	if !slices.Contains(w.keys, path) {
		w.keys = append(w.keys, path)
	}
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// walk adds the keys under path of a value of type t. Types of other modules (model.Duration,
// time.Time, prometheus/common's HTTPClientConfig) are leaves: their options are their authors'
// to document, and the example shows the key that holds them.
func (w *keyWalker) walk(t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() != "" && !strings.HasPrefix(t.PkgPath(), modulePath) {
		return
	}
	if t == reflect.TypeFor[rawSource]() {
		w.source(path)
		return
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		w.walk(t.Elem(), path)
	case reflect.Map:
		elem := t.Elem()
		for elem.Kind() == reflect.Pointer || elem.Kind() == reflect.Slice {
			elem = elem.Elem()
		}
		if elem.Kind() == reflect.Struct && strings.HasPrefix(elem.PkgPath(), modulePath) {
			w.walk(t.Elem(), joinKey(path, "*"))
		}
	case reflect.Struct:
		for _, k := range w.switchKeys(t) {
			w.add(joinKey(path, k))
		}
		w.fields(t, path)
	}
}

// fields adds a struct's keys by its yaml tags, as yaml.v3 reads them: the tag's name, else the
// field's name in lower case; inline structs flattened; unexported fields and "-" skipped.
func (w *keyWalker) fields(t reflect.Type, path string) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.PkgPath != "" && !f.Anonymous {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if slices.Contains(strings.Split(opts, ","), "inline") {
			w.walk(f.Type, path)
			continue
		}
		if name == "" {
			if reflect.PointerTo(t).Implements(yamlUnmarshaler) {
				continue // a type decoding itself: its untagged fields are not keys
			}
			name = strings.ToLower(f.Name)
		}
		key := joinKey(path, name)
		w.add(key)
		w.walk(f.Type, key)
	}
}

// source adds the keys of a source: those rawSource's UnmarshalYAML switch handles, and the
// block of each kind compiled in, named after the kind.
func (w *keyWalker) source(path string) {
	for _, k := range w.switchKeys(reflect.TypeFor[rawSource]()) {
		w.add(joinKey(path, k))
	}
	for _, name := range sources.Names() {
		cfg, ok := kindConfigs[name]
		if !ok {
			w.t.Errorf("source kind %q has no configuration type in kindConfigs", name)
			continue
		}
		w.add(joinKey(path, name))
		w.walk(cfg, joinKey(path, name))
	}
}

// switchKeys returns the keys the UnmarshalYAML method of t takes by name: the string cases of
// its switches on a node's Value (switch k.Value { case "name": ... }), read from the source of
// t's package.
func (w *keyWalker) switchKeys(t reflect.Type) []string {
	if !reflect.PointerTo(t).Implements(yamlUnmarshaler) {
		return nil
	}
	if keys, ok := w.switches[t]; ok {
		return keys
	}
	dir := filepath.Join("..", "..", filepath.FromSlash(strings.TrimPrefix(t.PkgPath(), modulePath)))
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		w.t.Fatal(err)
	}
	var keys []string
	fset := token.NewFileSet()
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Name.Name != "UnmarshalYAML" || fn.Recv == nil || receiverName(fn) != t.Name() {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				sw, ok := n.(*ast.SwitchStmt)
				if !ok {
					return true
				}
				if sel, ok := sw.Tag.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Value" {
					return true
				}
				for _, s := range sw.Body.List {
					for _, e := range s.(*ast.CaseClause).List {
						if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							k, _ := strconv.Unquote(lit.Value)
							keys = append(keys, k)
						}
					}
				}
				return true
			})
		}
	}
	if w.switches == nil {
		w.switches = map[reflect.Type][]string{}
	}
	w.switches[t] = keys
	return keys
}

func receiverName(fn *ast.FuncDecl) string {
	e := fn.Recv.List[0].Type
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// acceptedKeys lists every key of the configuration file.
func acceptedKeys(t *testing.T) []string {
	t.Helper()
	w := &keyWalker{t: t}
	w.walk(reflect.TypeFor[rawConfig](), "")
	return w.keys
}

// documentKeys lists the keys a YAML document holds, as acceptedKeys names them.
func documentKeys(t *testing.T, data []byte) []string {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	var keys []string
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.AliasNode:
			walk(n.Alias, path)
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				key := joinKey(path, n.Content[i].Value)
				if !slices.Contains(keys, key) {
					keys = append(keys, key)
				}
				walk(n.Content[i+1], key)
			}
		}
	}
	walk(&root, "")
	return keys
}

// missingKeys returns the accepted keys the document lacks; a "*" in an accepted key stands for
// any key of the document at that place.
func missingKeys(accepted, doc []string) []string {
	matches := func(accepted, doc string) bool {
		want, got := strings.Split(accepted, "."), strings.Split(doc, ".")
		if len(want) != len(got) {
			return false
		}
		for i := range want {
			if want[i] != "*" && want[i] != got[i] {
				return false
			}
		}
		return true
	}
	var missing []string
	for _, a := range accepted {
		if !slices.ContainsFunc(doc, func(d string) bool { return matches(a, d) }) {
			missing = append(missing, a)
		}
	}
	return missing
}

func TestExampleIsComplete(t *testing.T) {
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(exampleFile); err != nil {
		t.Fatalf("the example does not load: %v", err)
	}
	for _, k := range missingKeys(acceptedKeys(t), documentKeys(t, data)) {
		t.Errorf("%s lacks %s: show it there (and document it in docs/configuration.md)", filepath.Base(exampleFile), k)
	}
}

// TestAcceptedKeys checks the walk itself on keys of each origin: yaml tags at several depths,
// rawSource's switch, and each source kind's configuration.
func TestAcceptedKeys(t *testing.T) {
	keys := acceptedKeys(t)
	for _, want := range []string{
		"global.evaluation_interval",
		"global.alerting.burn_rates.severity",
		"objectives.alerting.runbook_url",
		"objectives.availability.recurring_maintenance.timezone",
		"kpis.success_values",
		"sources.name", "sources.interval", "sources.priorities", // rawSource's switch
		"sources.file.columns.id", "sources.file.http_client_config", "sources.demo.seed",
	} {
		if !slices.Contains(keys, want) {
			t.Errorf("accepted keys lack %s", want)
		}
	}
	for _, unwanted := range []string{
		"sources.block", "sources.node", // rawSource's own fields, not keys
		"sources.file.http_client_config.basic_auth", // prometheus/common's to document
		"kpis.target.v",       // kpiValue decodes a scalar
		"objectives.labels.*", // a map of strings
	} {
		if slices.Contains(keys, unwanted) {
			t.Errorf("accepted keys hold %s", unwanted)
		}
	}
}

// TestMissingKeys checks the comparison, lists and map keys included.
func TestMissingKeys(t *testing.T) {
	doc := documentKeys(t, []byte(`
global: {timezone: UTC}
sources:
  - name: a
    file: {path: x}
  - name: b
    file: {columns: {id: id}}
things:
  - name: x
    by_name: {anything: {deep: 1}}
`))
	accepted := []string{"global.timezone", "global.staleness", "sources.name", "sources.file.path", "sources.file.columns.id",
		"sources.file.columns.created", "things.by_name.*.deep", "things.by_name.*.shallow"}
	got := missingKeys(accepted, doc)
	want := []string{"global.staleness", "sources.file.columns.created", "things.by_name.*.shallow"}
	if !slices.Equal(got, want) {
		t.Errorf("missing %v, want %v", got, want)
	}
}
