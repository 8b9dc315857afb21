package zendesk

import (
	"io"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Kind is the zendesk source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source syncs the tickets of one Zendesk account: Sync reads the incremental export from its
// cursor, and the audits of each ticket it lists.
type Source struct {
	*apisource.Source[entry]
}

var (
	_ collector.Source      = (*Source)(nil)
	_ io.Closer             = (*Source)(nil)
	_ apisource.StatsSource = (*Source)(nil)
	_ apisource.Kind[entry] = (*api)(nil)
)

// New decodes a `zendesk:` block strictly and builds the source. It makes no request and
// reads no credential file: a configuration can be checked without reaching Zendesk.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	return newSource(node, opts, apisource.Hooks{})
}

func newSource(node *yaml.Node, opts collector.Options, hooks apisource.Hooks) (*Source, error) {
	p, err := compile(node, opts)
	if err != nil {
		return nil, err
	}
	opts = apisource.WithDefaults(opts)
	a := &api{p: p, logger: opts.Logger, now: opts.Now}
	return &Source{apisource.NewSource[entry](p.api, a, opts, hooks)}, nil
}
