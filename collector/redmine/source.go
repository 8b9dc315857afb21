package redmine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/version"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Kind is the redmine source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source reads the issues of a `redmine:` block's projects.
type Source struct {
	plan     *plan
	logger   *slog.Logger
	name     string
	requests *collector.Requests
	now      func() time.Time

	// mu guards the HTTP client, built at the first sync.
	mu        sync.Mutex
	client    *http.Client
	transport http.RoundTripper // the client's, before counting requests
}

var (
	_ collector.Source = (*Source)(nil)
	_ io.Closer        = (*Source)(nil)
)

// New decodes a `redmine:` block strictly and validates it. It does not connect to Redmine nor
// read the files http_client_config names: a configuration can be checked before they exist.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	p, err := decode(node, opts.Dir)
	if err != nil {
		return nil, err
	}
	s := &Source{plan: p, logger: opts.Logger, name: opts.Name, requests: opts.Requests, now: opts.Now}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// parserVersion is part of the checkpoint's fingerprint: bump it when the same answers would map
// to other tickets, so that a new release reads every issue again.
const parserVersion = 1

// fingerprint identifies what the mapping depends on; a checkpoint made under another is
// dropped and every issue read again.
func (p *plan) fingerprint() string {
	fields := make([]string, len(p.fields))
	for i, f := range p.fields {
		fields[i] = p.fieldNames[i] + "=" + f.String()
	}
	b, _ := json.Marshal(struct {
		V                int
		URL              string
		Projects         []string
		Statuses         map[string]ticket.Category
		Default          ticket.Category
		Notes            bool
		ResponseStatuses map[string]bool
		Type, Group      string
		Fields           []string
	}{parserVersion, p.display, p.projects, p.statuses, p.defaultCategory, p.responseNotes, p.responseStatus,
		p.typ.String(), p.group.String(), fields})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// checkpoint is what a sync remembers, as JSON so that an operator can read it in the store.
type checkpoint struct {
	Config   string                   `json:"config"`
	Projects map[string]*projectState `json:"projects"`
}

// projectState is where the reading of one project stands.
type projectState struct {
	// Watermark is the latest updated_on read: the next sync asks for issues updated since
	// Watermark − overlap.
	Watermark time.Time `json:"watermark"`
	// Recent are the issues updated in the overlap window, with the updated_on read: listed again
	// unchanged, they are not fetched again. An issue updated in the last seconds before the
	// server answered is left out: a second update within the same second would show the same
	// updated_on.
	Recent map[string]string `json:"recent,omitempty"`
}

// settleMargin is how long before the server's answer an update must be for its updated_on (to
// the second) to be final.
const settleMargin = 2 * time.Second

func parseCheckpoint(data []byte, fingerprint string) *checkpoint {
	var c checkpoint
	if len(data) == 0 || json.Unmarshal(data, &c) != nil || c.Config != fingerprint {
		return &checkpoint{Config: fingerprint, Projects: map[string]*projectState{}}
	}
	if c.Projects == nil {
		c.Projects = map[string]*projectState{}
	}
	return &c
}

// httpClient returns the source's client, building it on first use.
func (s *Source) httpClient() (*http.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		return s.client, nil
	}
	ua := "sla_exporter"
	if version.Version != "" {
		ua += "/" + version.Version
	}
	c, err := config.NewClientFromConfig(s.plan.client, "sla_exporter", config.WithUserAgent(ua))
	if err != nil {
		return nil, fmt.Errorf("http_client_config: %w", err)
	}
	s.transport = c.Transport
	c.Transport = s.requests.InstrumentRoundTripper(s.name, c.Transport)
	s.client = c
	return c, nil
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

// Sync reads the issues updated since the checkpoint, project by project: one request per page
// of the list, then one per issue whose updated_on moved, for its journals. The statuses are
// read once, and only when an issue is to be mapped. A sync with nothing changed costs one
// request per project, as long as fewer than a page of issues were updated within the overlap.
//
// Any failed request fails the sync: nothing is returned, and the next sync starts again from
// the checkpoint given. An issue that does not map is rejected, the rest returned.
func (s *Source) Sync(ctx context.Context, cp []byte) (collector.Batch, error) {
	if err := ctx.Err(); err != nil {
		return collector.Batch{}, err
	}
	hc, err := s.httpClient()
	if err != nil {
		return collector.Batch{}, err
	}
	p := s.plan
	c := &client{plan: p, http: hc, now: s.now, secrets: secretsOf(&p.client)}
	prev := parseCheckpoint(cp, p.fingerprint())
	next := &checkpoint{Config: prev.Config, Projects: map[string]*projectState{}}

	var statuses statusSet
	var b collector.Batch
	index := map[string]int{} // ticket id -> index in b.Tickets: a subproject's issue is listed by its parent too
	listedN, fetched := 0, 0
	for _, project := range p.projects {
		old := prev.Projects[project]
		if old == nil {
			old = &projectState{}
		}
		st := &projectState{Watermark: old.Watermark, Recent: map[string]string{}}
		var since time.Time
		if !old.Watermark.IsZero() {
			since = old.Watermark.Add(-p.overlap)
		}
		seen := map[string]bool{} // id@updated read in this listing
		err := c.listUpdated(ctx, project, since, func(it listed) (bool, error) {
			key := strconv.Itoa(it.id) + "@" + it.updated
			if seen[key] {
				return false, nil
			}
			seen[key] = true
			listedN++
			updated, terr := time.Parse(time.RFC3339, it.updated)
			if it.id <= 0 || terr != nil {
				is, rj := decodeIssue(it.raw)
				if rj == nil {
					_, rj = parseTime("updated_on", is.UpdatedOn)
				}
				if rj == nil {
					rj = reject("the listing's id or updated_on does not read")
				}
				b.Rejected = append(b.Rejected, rj.at(cmpID(is.ID, it.id)))
				return true, nil
			}
			if updated.After(st.Watermark) {
				st.Watermark = updated
			}
			id := strconv.Itoa(it.id)
			if updated.Before(it.date.Add(-settleMargin)) {
				st.Recent[id] = it.updated
			}
			if old.Recent[id] == it.updated {
				return true, nil // read by the last sync, unchanged since
			}
			if statuses == nil {
				set, err := c.statuses(ctx)
				if err != nil {
					return false, err
				}
				statuses = set
			}
			raw, err := c.issue(ctx, it.id)
			if errors.Is(err, errGone) {
				s.logger.Debug("issue gone between its listing and its fetch", "issue", it.id)
				return true, nil
			}
			if err != nil {
				return false, err
			}
			fetched++
			is, rj := decodeIssue(raw)
			var t ticket.Ticket
			if rj == nil {
				t, rj = p.mapIssue(&is, statuses)
			}
			if rj != nil {
				b.Rejected = append(b.Rejected, rj.at(cmpID(is.ID, it.id)))
				return true, nil
			}
			if i, dup := index[t.ID]; dup {
				b.Tickets[i] = t
			} else {
				index[t.ID] = len(b.Tickets)
				b.Tickets = append(b.Tickets, t)
			}
			return true, nil
		})
		if err != nil {
			return collector.Batch{}, err
		}
		// Keep only what the next listing can meet again: it asks from Watermark − overlap,
		// which Redmine reads as after the second before (Query#date_clause).
		floor := st.Watermark.Add(-p.overlap - time.Second)
		for id, u := range st.Recent {
			if t, err := time.Parse(time.RFC3339, u); err != nil || t.Before(floor) {
				delete(st.Recent, id)
			}
		}
		next.Projects[project] = st
	}
	data, err := json.Marshal(next)
	if err != nil {
		return collector.Batch{}, err
	}
	b.Checkpoint = data
	s.logger.Debug("redmine synced", "url", p.display, "listed", listedN, "fetched", fetched,
		"tickets", len(b.Tickets), "rejected", len(b.Rejected))
	return b, nil
}

// cmpID is the first id that is set.
func cmpID(ids ...int) int {
	for _, id := range ids {
		if id > 0 {
			return id
		}
	}
	return 0
}
