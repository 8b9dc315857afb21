package servicenow

import (
	"io"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Kind is the servicenow source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source syncs the records of one task table of one instance: Sync reads the records updated
// since the checkpoint, with their status history and SLA records.
type Source struct {
	*apisource.Source[entry]
}

var (
	_ collector.Source      = (*Source)(nil)
	_ io.Closer             = (*Source)(nil)
	_ apisource.StatsSource = (*Source)(nil)
)

// New decodes a `servicenow:` block strictly and builds the source. It makes no request and
// reads no credential file: a configuration can be checked without reaching the instance.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	return newSource(node, opts, apisource.Hooks{})
}

func newSource(node *yaml.Node, opts collector.Options, hooks apisource.Hooks) (*Source, error) {
	opts = apisource.WithDefaults(opts)
	s, err := compile(node, opts)
	if err != nil {
		return nil, err
	}
	return &Source{apisource.NewSource[entry](s.api, &api{s: s}, opts, hooks)}, nil
}
