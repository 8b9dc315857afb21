// Package uptimekuma is the uptime_kuma source kind: the heartbeats of the monitors on an
// Uptime Kuma status page, read from the page's JSON endpoints, as availability samples, one
// series per monitor: up is up, down down, pending (a failed check being retried) degraded or
// down, and maintenance a maintenance window of the series.
//
// Uptime Kuma lists only the last 100 heartbeats of a monitor, so the source reads them
// incrementally from a watermark per monitor; heartbeats rotated out between two syncs are
// missing, and said to be (an Unknown sample where the next one was due).
//
// It is built on collector/apisource: this package is only the documents and the mapping.
package uptimekuma

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// Kind is the uptime_kuma source kind, for the table in collector/sources.
// It is live: the API lists only recent history, so a change of settings keeps the stored
// records rather than replacing them with what it lists now.
var Kind = collector.Kind{New: New, Live: true}

// Source syncs the monitors of one status page.
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

// New decodes an `uptime_kuma:` block strictly and builds the source. It makes no request.
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

// checkpoint holds each monitor's state by id.
type checkpoint struct {
	V        int                     `json:"v"`
	Monitors map[string]monitorState `json:"monitors"`
}

type monitorState struct {
	// Watermark is the time of the latest heartbeat returned.
	Watermark time.Time `json:"watermark"`
	// MaintenanceSince, when set, is the first heartbeat of a maintenance still going on at
	// the watermark: its window is sent again, longer, until it ends.
	MaintenanceSince time.Time `json:"maintenance_since,omitzero"`
}

func parseCheckpoint(cp []byte) checkpoint {
	var st checkpoint
	if len(cp) == 0 || json.Unmarshal(cp, &st) != nil || st.V != checkpointVersion || st.Monitors == nil {
		return checkpoint{V: checkpointVersion, Monitors: map[string]monitorState{}}
	}
	return st
}

// Sync reads the page's monitors and their heartbeats, two requests, and returns what came
// after each monitor's watermark. Any failure fails the sync whole: nothing is returned.
func (src *Source) Sync(ctx context.Context, cp []byte) (collector.Batch, error) {
	fail := func(err error) (collector.Batch, error) {
		return collector.Batch{}, src.s.api.SyncError(ctx, src.now(), err)
	}
	sess := src.client.Session(ctx)
	resp, err := sess.Get(apisource.Request{Path: pagePath(src.s.slug)})
	if err != nil {
		return fail(err)
	}
	monitors, err := decodePage(resp)
	if err != nil {
		return fail(err)
	}
	items := make([]apisource.Listed, len(monitors))
	for i, m := range monitors {
		items[i] = apisource.Listed{ID: m.ID.String(), Name: m.Name}
	}
	series, index, err := apisource.Pick("monitor", src.s.monitors, items)
	if err != nil {
		return fail(err)
	}
	if resp, err = sess.Get(apisource.Request{Path: heartbeatPath(src.s.slug)}); err != nil {
		return fail(err)
	}
	lists, err := decodeHeartbeats(resp)
	if err != nil {
		return fail(err)
	}
	st := parseCheckpoint(cp)
	next := checkpoint{V: checkpointVersion, Monitors: map[string]monitorState{}}
	var b collector.Batch
	for k, i := range index {
		id := items[i].ID
		u, ms := src.s.mapMonitor(series[k], lists[id], st.Monitors[id])
		if !ms.Watermark.IsZero() {
			next.Monitors[id] = ms
		}
		if len(u.Samples) > 0 || len(u.Maintenance) > 0 {
			b.Uptime = append(b.Uptime, u)
		}
	}
	out, err := json.Marshal(next)
	if err != nil { // times always marshal
		panic(err)
	}
	b.Checkpoint = out
	return b, nil
}

// mapMonitor turns a monitor's heartbeats into the samples and maintenance windows after its
// watermark. A maintenance heartbeat is an Unknown sample (so that the state before does not
// hold across it) inside a maintenance window, which removes the time from evaluation: a run of
// maintenance heartbeats is a window from its first to the next heartbeat of another status;
// while it goes on, to its latest heartbeat.
func (s *settings) mapMonitor(series string, hbs []heartbeat, ms monitorState) (collector.UptimeSeries, monitorState) {
	u := collector.UptimeSeries{Series: series}
	beats := make([]apisource.Beat, len(hbs))
	for i, h := range hbs {
		beats[i] = apisource.Beat{At: h.at, State: s.state(*h.Status)}
	}
	// Fewer than the endpoint's limit: the monitor's whole history, nothing lost.
	complete := len(hbs) < heartbeatLimit
	samples, wm := apisource.Recent(beats, ms.Watermark, complete)
	u.Samples = samples
	open := ms.MaintenanceSince
	lost := !complete && !ms.Watermark.IsZero() && len(hbs) > 0 && hbs[0].at.After(ms.Watermark)
	if lost && !open.IsZero() {
		// The heartbeats after the watermark are lost: the run is known to the watermark only.
		if open.Before(ms.Watermark) {
			u.Maintenance = append(u.Maintenance, availability.Window{Start: open, End: ms.Watermark})
		}
		open = time.Time{}
	}
	var last time.Time
	for _, h := range hbs {
		if !ms.Watermark.IsZero() && !h.at.After(ms.Watermark) {
			continue
		}
		last = h.at
		switch {
		case *h.Status == statusMaintenance && open.IsZero():
			open = h.at
		case *h.Status != statusMaintenance && !open.IsZero():
			u.Maintenance = append(u.Maintenance, availability.Window{Start: open, End: h.at})
			open = time.Time{}
		}
	}
	if !open.IsZero() && open.Before(last) {
		u.Maintenance = append(u.Maintenance, availability.Window{Start: open, End: last})
	}
	return u, monitorState{Watermark: wm, MaintenanceSince: open}
}

// state is a heartbeat's sample state.
func (s *settings) state(status int) availability.State {
	switch status {
	case statusUp:
		return availability.Up
	case statusDown:
		return availability.Down
	case statusPending:
		return s.pending
	}
	return availability.Unknown // maintenance: inside a window
}
