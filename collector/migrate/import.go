package migrate

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Tools are the tools Import reads, by the name --from takes; "auto" reads a mix of them.
var Tools = map[string]func([]Input, Options) (*Result, error){"sloth": Sloth, "pyrra": Pyrra, "openslo": OpenSLO, "auto": Auto}

// importers add one tool's specs to a configuration under construction, so that several tools'
// specs can share one prometheus source, one set of services and one set of names.
var importers = map[string]func(*builder, []Input, Options) error{"sloth": importSloth, "pyrra": importPyrra, "openslo": importOpenSLO}

// toolOrder is the order Auto imports the tools in, so that its output does not depend on the
// order of the files.
var toolOrder = []string{"sloth", "pyrra", "openslo"}

// Import reads the specs of tool ("sloth", "pyrra", "openslo", or "auto" for a mix).
func Import(tool string, inputs []Input, opts Options) (*Result, error) {
	f, ok := Tools[tool]
	if !ok {
		return nil, fmt.Errorf("unknown tool %q: want auto, sloth, pyrra or openslo", tool)
	}
	if opts.PrometheusURL == "" {
		opts.PrometheusURL = DefaultPrometheusURL
	}
	return f(inputs, opts)
}

// single imports the specs of one tool.
func single(inputs []Input, opts Options, tool string) (*Result, error) {
	r := &Report{}
	b := newBuilder(opts.PrometheusURL, r)
	if err := importers[tool](b, inputs, opts); err != nil {
		return nil, err
	}
	return &Result{Config: b.finish(), Report: r, Tools: []string{tool}}, nil
}

// Auto imports a folder of mixed specs: each file goes to the tool its documents name (Sloth's
// version: prometheus/v1 or apiVersion sloth.slok.dev/*, Pyrra's pyrra.dev/*, OpenSLO's
// openslo/*), and all of them into one configuration, one prometheus source and one set of
// objective names (a name two tools use gets its service as prefix, as within one tool). A file
// naming no tool is reported and left out; a file naming two is an error, as its documents
// would be read by neither whole.
func Auto(inputs []Input, opts Options) (*Result, error) {
	r := &Report{}
	b := newBuilder(opts.PrometheusURL, r)
	byTool := map[string][]Input{}
	for _, in := range inputs {
		tool, line, err := detect(in)
		if err != nil {
			return nil, err
		}
		if tool == "" {
			r.add(in.Name, line, None, "file", "not a Sloth, Pyrra or OpenSLO spec (no version: prometheus/v1, apiVersion: sloth.slok.dev/*, pyrra.dev/* or openslo/*); ignored")
			continue
		}
		byTool[tool] = append(byTool[tool], in)
	}
	var tools []string
	for _, tool := range toolOrder {
		if len(byTool[tool]) == 0 {
			continue
		}
		tools = append(tools, tool)
		if err := importers[tool](b, byTool[tool], opts); err != nil {
			return nil, err
		}
	}
	return &Result{Config: b.finish(), Report: r, Tools: tools}, nil
}

// detect returns the tool whose specs in is, by its documents' version or apiVersion, "" when
// none names one (line is then its first document's).
func detect(in Input) (tool string, line int, err error) {
	docs, err := documents(in)
	if err != nil {
		return "", 0, err
	}
	line = 1
	for _, d := range docs {
		items := []*yaml.Node{d}
		if d.Kind == yaml.SequenceNode { // an OpenSLO file may be a list of objects
			items = d.Content
		}
		for _, n := range items {
			t := docTool(n)
			switch {
			case t == "":
			case tool == "":
				tool, line = t, n.Line
			case t != tool:
				return "", 0, fmt.Errorf("%s:%d: a %s document in a file of %s specs (line %d): import them from separate files", in.Name, n.Line, t, tool, line)
			}
		}
	}
	if tool == "" && len(docs) > 0 {
		line = docs[0].Line
	}
	return tool, line, nil
}

// docTool is the tool a document's version or apiVersion names, or "".
func docTool(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1].Value
		switch {
		case k == "version" && v == "prometheus/v1", k == "apiVersion" && strings.HasPrefix(v, "sloth.slok.dev/"):
			return "sloth"
		case k == "apiVersion" && strings.HasPrefix(v, "pyrra.dev/"):
			return "pyrra"
		case k == "apiVersion" && strings.HasPrefix(v, "openslo/"):
			return "openslo"
		}
	}
	return ""
}

// DefaultPrometheusURL is the prometheus source's url when none is given.
const DefaultPrometheusURL = "http://localhost:9090"

// Header is the comment on top of an imported configuration.
func Header(r *Result) string {
	names := map[string]string{"sloth": "Sloth", "pyrra": "Pyrra", "openslo": "OpenSLO"}
	var tools []string
	for _, t := range r.Tools {
		tools = append(tools, names[t])
	}
	from := "no recognised specs"
	switch n := len(tools); {
	case n == 1:
		from = tools[0]
	case n > 1:
		from = strings.Join(tools[:n-1], ", ") + " and " + tools[n-1]
	}
	return fmt.Sprintf("Imported from %s by sla_exporter import: %d constructs mapped exactly, %d approximately, %d without equivalent\n"+
		"(the report on stderr lists each with its file and line). Check it with: sla_exporter --config.file FILE check",
		from, r.Report.Count(Exact), r.Report.Count(Approximate), r.Report.Count(None))
}
