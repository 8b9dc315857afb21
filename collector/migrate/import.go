package migrate

import "fmt"

// Tools are the tools Import reads, by the name --from takes.
var Tools = map[string]func([]Input, Options) (*Result, error){"sloth": Sloth, "pyrra": Pyrra, "openslo": OpenSLO}

// Import reads the specs of tool ("sloth", "pyrra" or "openslo").
func Import(tool string, inputs []Input, opts Options) (*Result, error) {
	f, ok := Tools[tool]
	if !ok {
		return nil, fmt.Errorf("unknown tool %q: want sloth, pyrra or openslo", tool)
	}
	if opts.PrometheusURL == "" {
		opts.PrometheusURL = DefaultPrometheusURL
	}
	return f(inputs, opts)
}

// DefaultPrometheusURL is the prometheus source's url when none is given.
const DefaultPrometheusURL = "http://localhost:9090"

// Header is the comment on top of an imported configuration.
func Header(tool string, r *Report) string {
	return fmt.Sprintf("Imported from %s by sla_exporter import: %d constructs mapped exactly, %d approximately, %d without equivalent\n"+
		"(the report on stderr lists each with its file and line). Check it with: sla_exporter --config.file FILE check",
		tool, r.Count(Exact), r.Count(Approximate), r.Count(None))
}
