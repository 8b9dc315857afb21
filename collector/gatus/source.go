// Package gatus is the gatus source kind: the results of Gatus' health checks, read from its
// status API (GET /api/v1/endpoints/statuses), as availability samples, one series per
// endpoint: a successful result is up, a failed one down, each holding until the next.
//
// Gatus keeps only the last storage.maximum-number-of-results (100) results of an endpoint, so
// the source reads them incrementally from a watermark per endpoint, paging back (page,
// pageSize) until it reaches the watermark; checks Gatus rotated out between two syncs are
// missing, and said to be (an Unknown sample where the next check was due).
//
// It is built on collector/apisource: this package is only the document and the mapping.
package gatus

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// Kind is the gatus source kind, for the table in collector/sources.
// It is live: the API lists only recent history, so a change of settings keeps the stored
// records rather than replacing them with what it lists now.
var Kind = collector.Kind{New: New, Live: true}

// Source syncs one Gatus instance's endpoints.
type Source struct {
	s      *settings
	client *apisource.Client
	now    func() time.Time
}

var (
	_ collector.Source      = (*Source)(nil)
	_ io.Closer             = (*Source)(nil)
	_ apisource.StatsSource = (*Source)(nil)
)

// New decodes a `gatus:` block strictly and builds the source. It makes no request.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	return newSource(node, opts, apisource.Hooks{})
}

func newSource(node *yaml.Node, opts collector.Options, hooks apisource.Hooks) (*Source, error) {
	s, err := compile(node, opts)
	if err != nil {
		return nil, apisource.ScrubConfigError(node, err)
	}
	opts = apisource.WithDefaults(opts)
	return &Source{s: s, client: apisource.NewClient(s.api, opts, hooks), now: opts.Now}, nil
}

// Close drops idle connections.
func (src *Source) Close() error { return src.client.Close() }

// APIStats returns the source's request counters.
func (src *Source) APIStats() apisource.Stats { return src.client.Stats() }

// checkpointVersion is the checkpoint's format; another one starts over.
const checkpointVersion = 1

// checkpoint holds, per endpoint key, the time of the latest result returned.
type checkpoint struct {
	V          int                  `json:"v"`
	Watermarks map[string]time.Time `json:"watermarks"`
}

func parseCheckpoint(cp []byte) checkpoint {
	var st checkpoint
	if len(cp) == 0 || json.Unmarshal(cp, &st) != nil || st.V != checkpointVersion || st.Watermarks == nil {
		return checkpoint{V: checkpointVersion, Watermarks: map[string]time.Time{}}
	}
	return st
}

// picked is a selected endpoint: its series and key.
type picked struct{ series, key string }

// Sync reads the newest page of results of every endpoint, and older pages while a selected
// endpoint's page is full and does not reach back to its watermark (on a first sync, to the
// oldest result Gatus keeps), at most max_requests_per_sync pages. Any failure fails the sync
// whole: nothing is returned.
func (src *Source) Sync(ctx context.Context, cp []byte) (collector.Batch, error) {
	st := parseCheckpoint(cp)
	sess := src.client.Session(ctx)
	size := src.s.api.PageSize
	var sel []picked
	beats := map[string][]apisource.Beat{}
	done := map[string]bool{}
	for page := 1; page <= src.s.maxPages; page++ {
		resp, err := sess.Get(statusesRequest(page, size))
		if err != nil {
			return collector.Batch{}, src.s.api.SyncError(ctx, src.now(), err)
		}
		list, err := decodeStatuses(resp)
		if err != nil {
			return collector.Batch{}, src.s.api.SyncError(ctx, src.now(), err)
		}
		if page == 1 {
			if sel, err = src.s.pick(list); err != nil {
				return collector.Batch{}, src.s.api.SyncError(ctx, src.now(), err)
			}
		}
		more := false
		for _, p := range sel {
			if done[p.key] {
				continue
			}
			i := slices.IndexFunc(list, func(e endpointStatus) bool { return e.Key == p.key })
			if i < 0 { // gone since the first page
				done[p.key] = true
				continue
			}
			rs := list[i].Results
			for _, r := range rs {
				beats[p.key] = append(beats[p.key], apisource.Beat{At: r.Timestamp, State: state(r)})
			}
			wm := st.Watermarks[p.key]
			reached := len(rs) > 0 && !wm.IsZero() && !rs[0].Timestamp.After(wm)
			if len(rs) < size || reached {
				done[p.key] = true
				continue
			}
			more = true
		}
		if !more {
			break
		}
	}
	b := collector.Batch{}
	next := checkpoint{V: checkpointVersion, Watermarks: map[string]time.Time{}}
	for _, p := range sel {
		bs := inOrder(beats[p.key])
		// Gatus caps a page and rotates results out: a history that does not reach back to
		// the watermark has lost checks, whatever its length.
		samples, wm := apisource.Recent(bs, st.Watermarks[p.key], false)
		if !wm.IsZero() {
			next.Watermarks[p.key] = wm
		}
		if len(samples) > 0 {
			b.Uptime = append(b.Uptime, collector.UptimeSeries{Series: p.series, Samples: samples})
		}
	}
	out, err := json.Marshal(next)
	if err != nil { // times always marshal
		panic(err)
	}
	b.Checkpoint = out
	return b, nil
}

// state is a result's sample state: success (every condition held) is up, else down.
func state(r result) availability.State {
	if r.Success {
		return availability.Up
	}
	return availability.Down
}

// inOrder sorts beats by time and drops repeats (a result seen on two pages, when results
// arrived between their requests).
func inOrder(bs []apisource.Beat) []apisource.Beat {
	slices.SortStableFunc(bs, func(a, b apisource.Beat) int { return a.At.Compare(b.At) })
	return slices.CompactFunc(bs, func(a, b apisource.Beat) bool { return a.At.Equal(b.At) })
}

// pick resolves the selection: the configured endpoints (by key or name, series named as
// written), or every endpoint, each a series named by its key.
func (s *settings) pick(list []endpointStatus) ([]picked, error) {
	if len(s.endpoints) == 0 {
		out := make([]picked, len(list))
		for i, e := range list {
			out[i] = picked{series: e.Key, key: e.Key}
		}
		return out, nil
	}
	items := make([]apisource.Listed, len(list))
	for i, e := range list {
		items[i] = apisource.Listed{ID: e.Key, Name: e.Name}
	}
	series, index, err := apisource.Pick("endpoint", s.endpoints, items)
	if err != nil {
		return nil, err
	}
	out := make([]picked, len(series))
	for k, i := range index {
		out[k] = picked{series: series[k], key: list[i].Key}
	}
	return out, nil
}
