package rt

import (
	"io"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Kind is the rt source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source syncs the tickets of one `rt:` block. Sync reads the tickets updated since the
// checkpoint (all of them the first time), with their histories, oldest update first; a ticket
// seen before with the same LastUpdated is skipped, so a sync with no changes costs one search
// request. Every reconcile_interval it lists the ids the query selects, so that tickets deleted
// or moved out of it are dropped.
type Source struct {
	*apisource.Source[entry]
	plan *plan
}

var (
	_ collector.Source      = (*Source)(nil)
	_ io.Closer             = (*Source)(nil)
	_ apisource.StatsSource = (*Source)(nil)
)

// New decodes an `rt:` block strictly and validates it. It neither connects to RT nor reads the
// files http_client_config names, so that a configuration can be checked before they exist.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	return newSource(node, opts, apisource.Hooks{})
}

func newSource(node *yaml.Node, opts collector.Options, hooks apisource.Hooks) (*Source, error) {
	p, err := compile(node, opts)
	if err != nil {
		return nil, err
	}
	return &Source{Source: apisource.NewSource[entry](p.api, &api{p: p}, opts, hooks), plan: p}, nil
}
