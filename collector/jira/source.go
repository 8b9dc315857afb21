package jira

import (
	"io"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Kind is the jira source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source syncs the issues of one JQL search.
type Source struct {
	*apisource.Source[*entry]
}

var (
	_ collector.Source      = (*Source)(nil)
	_ io.Closer             = (*Source)(nil)
	_ apisource.StatsSource = (*Source)(nil)
)

// New decodes a `jira:` block strictly and builds the source. It makes no request: a
// configuration can be checked without reaching Jira.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	return newSource(node, opts, apisource.Hooks{})
}

func newSource(node *yaml.Node, opts collector.Options, hooks apisource.Hooks) (*Source, error) {
	s, err := compile(node, opts)
	if err != nil {
		return nil, err
	}
	opts = apisource.WithDefaults(opts)
	a := &api{s: s, now: opts.Now}
	return &Source{apisource.NewSource[*entry](s.api, a, opts, hooks)}, nil
}
