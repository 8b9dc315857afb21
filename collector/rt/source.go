package rt

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/version"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

// Kind is the rt source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source syncs the tickets of one `rt:` block.
type Source struct {
	plan     *plan
	name     string
	logger   *slog.Logger
	requests *collector.Requests

	// mu guards the client, built at the first sync.
	mu        sync.Mutex
	api       *api
	transport http.RoundTripper // the client's, before counting requests
}

var (
	_ collector.Source = (*Source)(nil)
	_ io.Closer        = (*Source)(nil)
)

// New decodes an `rt:` block strictly and validates it. It neither connects to RT nor reads the
// files http_client_config names, so that a configuration can be checked before they exist.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	if node == nil {
		return nil, errNoBlock
	}
	cfg := Config{HTTPClientConfig: config.DefaultHTTPClientConfig}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	p, err := compile(node, &cfg, opts.Dir)
	if err != nil {
		return nil, err
	}
	s := &Source{plan: p, name: opts.Name, logger: opts.Logger, requests: opts.Requests}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// client returns the REST2 client, building it on first use.
func (s *Source) client() (*api, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.api != nil {
		return s.api, nil
	}
	ua := "sla_exporter"
	if version.Version != "" {
		ua += "/" + version.Version
	}
	c, err := config.NewClientFromConfig(s.plan.client, "sla_exporter", config.WithUserAgent(ua))
	if err != nil {
		return nil, fmt.Errorf("%s: http_client_config: %w", s.plan.display, err)
	}
	s.transport = c.Transport
	c.Transport = s.requests.InstrumentRoundTripper(s.name, c.Transport)
	s.api = &api{plan: s.plan, http: c}
	return s.api, nil
}

// Close drops idle connections.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ci, ok := s.transport.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
	return nil
}

// checkpoint is where the next sync resumes. It is JSON, so that an operator can read it in the
// store.
type checkpoint struct {
	// Config is the plan's fingerprint: under another query or mapping the sync starts over.
	Config string `json:"config"`
	// Since is the latest LastUpdated seen; the next sync searches from it less the overlap.
	Since time.Time `json:"since"`
	// Seen are the tickets seen with a LastUpdated within the overlap before Since, and that
	// LastUpdated: found again unchanged, they are skipped without reading their history.
	Seen map[string]time.Time `json:"seen,omitempty"`
}

// parseCheckpoint reads a checkpoint taken under the same plan; anything else is nil, which only
// costs a full sync.
func (p *plan) parseCheckpoint(data []byte) *checkpoint {
	if len(data) == 0 {
		return nil
	}
	var c checkpoint
	if err := json.Unmarshal(data, &c); err != nil || c.Config != p.fingerprint || c.Since.IsZero() {
		return nil
	}
	return &c
}

// Sync reads the tickets updated since the checkpoint (all of them the first time), with their
// histories, oldest update first. A ticket seen before with the same LastUpdated is skipped, so
// a sync with no changes costs one search request. Any failed request fails the whole sync, and
// nothing is returned; a ticket that does not map is rejected and the rest returned.
func (s *Source) Sync(ctx context.Context, cp []byte) (collector.Batch, error) {
	if err := ctx.Err(); err != nil {
		return collector.Batch{}, err
	}
	a, err := s.client()
	if err != nil {
		return collector.Batch{}, err
	}
	p := s.plan
	prev := p.parseCheckpoint(cp)
	next := checkpoint{Config: p.fingerprint, Seen: map[string]time.Time{}}
	var from time.Time
	seen := map[string]time.Time{}
	if prev != nil {
		from, seen, next.Since = prev.Since.Add(-p.overlap), prev.Seen, prev.Since
	}

	var b collector.Batch
	var after *cursor
	var listed, skipped, requests int
	for {
		pg, err := a.search(ctx, p.searchQuery(from, after))
		requests++
		if err != nil {
			return collector.Batch{}, err
		}
		progressed := false
		for i, raw := range pg.Items {
			key, id, err := itemKey(raw)
			if err != nil {
				return collector.Batch{}, fmt.Errorf("GET %s%s/tickets: item %d of a page: %v: cannot page past it", p.display, apiPath, i+1, err)
			}
			if after != nil && !after.before(key) {
				continue // read already: a date RT read differently (a DST hour) widened the page
			}
			after, progressed = &key, true
			listed++
			if key.updated.After(next.Since) {
				next.Since = key.updated
			}
			next.Seen[id] = key.updated
			if at, ok := seen[id]; ok && at.Equal(key.updated) {
				skipped++
				continue
			}
			var it rtTicket
			if err := json.Unmarshal(raw, &it); err != nil {
				rj := reject("the item does not decode as a ticket", "the item does not decode as a ticket: %v", err)
				b.Rejected = append(b.Rejected, rj.asRejection(id))
				continue
			}
			txns, err := a.history(ctx, id)
			requests++
			if err != nil {
				return collector.Batch{}, err
			}
			tk, rj := p.mapTicket(&it, txns)
			if rj != nil {
				b.Rejected = append(b.Rejected, rj.asRejection(id))
				continue
			}
			b.Tickets = append(b.Tickets, tk)
		}
		if len(pg.Items) < p.perPage || pg.Total != nil && *pg.Total <= len(pg.Items) {
			break
		}
		if !progressed {
			return collector.Batch{}, fmt.Errorf("GET %s%s/tickets: a full page held no ticket after the last one read: RT does not order by LastUpdated and id, or reads the dates in another time zone than timezone %q", p.display, apiPath, p.loc)
		}
	}
	// Tickets last updated before the next search's start cannot be found again: forget them.
	for id, at := range next.Seen {
		if at.Before(next.Since.Add(-p.overlap)) {
			delete(next.Seen, id)
		}
	}
	if b.Checkpoint, err = json.Marshal(next); err != nil {
		return collector.Batch{}, err
	}
	s.logger.Debug("rt sync", "url", p.display, "requests", requests, "listed", listed, "unchanged", skipped,
		"tickets", len(b.Tickets), "rejected", len(b.Rejected))
	return b, nil
}

// itemKey reads the id and LastUpdated of a search item, which paging needs even when the rest
// of the item does not map.
func itemKey(raw json.RawMessage) (cursor, string, error) {
	var k struct {
		ID          text   `json:"id"`
		LastUpdated string `json:"LastUpdated"`
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return cursor{}, "", fmt.Errorf("no id and LastUpdated: %v", err)
	}
	n, id, ok := parseID(k.ID)
	if !ok {
		return cursor{}, "", fmt.Errorf("id %q is not a positive whole number", clip(string(k.ID)))
	}
	at, err := rtTime(k.LastUpdated)
	if err != nil || at.IsZero() {
		return cursor{}, "", fmt.Errorf("ticket %s: LastUpdated %q is not a time", id, clip(k.LastUpdated))
	}
	return cursor{updated: at, id: n}, id, nil
}
