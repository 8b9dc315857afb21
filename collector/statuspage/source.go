// Package statuspage is the statuspage source kind: the availability of the components of an
// Atlassian Statuspage page, read from the page's public API v2 (no credentials): its
// components, its 50 most recent incidents with their updates, and its scheduled maintenances.
//
// Each selected component is an availability series of outages: the component statuses that
// incident updates set (major_outage down, partial_outage and degraded_performance degraded,
// configurable) from the incident's start to its resolution, and a status set outside any
// incident while the source sees it; scheduled maintenances are the series' maintenance. The
// series' coverage starts at the source's first sync, since incidents are not all the page's
// history (see coverage.go). Statuspage allows 1 request a second: the client keeps under it.
//
// It is built on collector/apisource: this package is only the documents and the mapping.
package statuspage

import (
	"context"
	"io"
	"log/slog"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Kind is the statuspage source kind, for the table in collector/sources.
// It is live: the API lists only recent history, so a change of settings keeps the stored
// records rather than replacing them with what it lists now.
var Kind = collector.Kind{New: New, Live: true}

// Source syncs one page: each sync reads the three documents and returns every selected
// component's outages and maintenance from them, with the coverage since the first sync.
type Source struct {
	s      *settings
	client *apisource.Client
	logger *slog.Logger
	now    func() time.Time
}

var (
	_ collector.Source      = (*Source)(nil)
	_ io.Closer             = (*Source)(nil)
	_ apisource.StatsSource = (*Source)(nil)
)

// New decodes a `statuspage:` block strictly and builds the source. It makes no request.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	return newSource(node, opts, apisource.Hooks{})
}

func newSource(node *yaml.Node, opts collector.Options, hooks apisource.Hooks) (*Source, error) {
	s, err := compile(node, opts)
	if err != nil {
		return nil, apisource.ScrubConfigError(node, err)
	}
	opts = apisource.WithDefaults(opts)
	return &Source{s: s, client: apisource.NewClient(s.api, opts, hooks), logger: opts.Logger, now: opts.Now}, nil
}

// Close drops idle connections.
func (src *Source) Close() error { return src.client.Close() }

// APIStats returns the source's request counters.
func (src *Source) APIStats() apisource.Stats { return src.client.Stats() }

// documents is what one sync reads.
type documents struct {
	components   []component
	incidents    []incident
	maintenances []incident
}

// Sync reads the page's documents and maps them. Any failure (an answer that is not a 2xx, a
// document that does not decode, a selected component gone from the page, a status the mapping
// does not know) fails the sync whole: nothing is returned, so that no stretch of time is turned
// good or bad by a failure; a 429 whose wait is too long for the sync asks the runner to wait.
func (src *Source) Sync(ctx context.Context, cp []byte) (collector.Batch, error) {
	now := src.now()
	sess := src.client.Session(ctx)
	docs, err := fetch(sess)
	if err != nil {
		return collector.Batch{}, src.s.api.SyncError(ctx, src.now(), err)
	}
	b, err := src.s.batch(docs, parseCheckpoint(cp), now, src.logger)
	if err != nil {
		return collector.Batch{}, src.s.api.SyncError(ctx, src.now(), err)
	}
	return b, nil
}

// fetch reads the three documents, a request each.
func fetch(sess *apisource.Session) (documents, error) {
	var d documents
	resp, err := sess.Get(apisource.Request{Path: componentsPath})
	if err != nil {
		return d, err
	}
	if d.components, err = decodeComponents(resp); err != nil {
		return d, err
	}
	if resp, err = sess.Get(apisource.Request{Path: incidentsPath}); err != nil {
		return d, err
	}
	if d.incidents, err = decodeIncidents(resp, false); err != nil {
		return d, err
	}
	if resp, err = sess.Get(apisource.Request{Path: maintenancesPath}); err != nil {
		return d, err
	}
	if d.maintenances, err = decodeIncidents(resp, true); err != nil {
		return d, err
	}
	return d, nil
}
