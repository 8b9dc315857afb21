package rt

import (
	"context"
	"io"
	"log/slog"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Kind is the rt source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source syncs the tickets of one `rt:` block.
type Source struct {
	plan   *plan
	client *apisource.Client
	driver *apisource.Driver[entry]
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
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	client := apisource.NewClient(p.api, opts, hooks)
	return &Source{plan: p, client: client,
		driver: &apisource.Driver[entry]{Settings: p.api, Client: client, Kind: &api{p: p}, Logger: opts.Logger, Now: opts.Now}}, nil
}

// Sync reads the tickets updated since the checkpoint (all of them the first time), with their
// histories, oldest update first; a ticket seen before with the same LastUpdated is skipped, so
// a sync with no changes costs one search request. Every reconcile_interval it lists the ids
// the query selects, so that tickets deleted or moved out of it are dropped.
func (s *Source) Sync(ctx context.Context, checkpoint []byte) (collector.Batch, error) {
	return s.driver.Sync(ctx, checkpoint)
}

// Close drops idle connections.
func (s *Source) Close() error { return s.client.Close() }

// APIStats returns the source's counters.
func (s *Source) APIStats() apisource.Stats { return s.client.Stats() }
