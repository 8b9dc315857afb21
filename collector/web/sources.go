package web

import (
	"sync/atomic"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// SourceJSON is a source in /api/v1/sources: whether its data can be trusted, and why not.
type SourceJSON struct {
	Name  string `json:"name"`
	Up    bool   `json:"up"`
	State string `json:"state"`
	// Refusal says why the last batch was refused (state rejecting or shrunk). Errors of failed
	// syncs are not shown: they go to the log, which is where their details belong.
	Refusal     string     `json:"refusal,omitempty"`
	LastSuccess *time.Time `json:"last_success"`
	Records     int        `json:"records"`
	// RejectedTotal counts every record rejected since the start; LastSync the records of the
	// last sync that returned data.
	RejectedTotal int                         `json:"rejected_total"`
	LastSync      *LastSyncJSON               `json:"last_sync"`
	Rejections    []collector.RejectionReason `json:"rejection_reasons"`
}

// LastSyncJSON counts the records of a sync.
type LastSyncJSON struct {
	Read          int     `json:"read"`
	Accepted      int     `json:"accepted"`
	Rejected      int     `json:"rejected"`
	RejectedRatio float64 `json:"rejected_ratio"`
}

// SourcesJSON is the body of /api/v1/sources.
func SourcesJSON(s *collector.Snapshot) []SourceJSON {
	out := make([]SourceJSON, 0, len(s.Sources))
	for _, h := range s.Sources {
		j := SourceJSON{Name: h.Name, Up: h.Up, State: h.State, Refusal: h.Refusal, Records: h.Records,
			RejectedTotal: h.Rejected, Rejections: h.Reasons}
		if j.Rejections == nil {
			j.Rejections = []collector.RejectionReason{}
		}
		if !h.LastSuccess.IsZero() {
			t := h.LastSuccess.UTC()
			j.LastSuccess = &t
		}
		if c := h.LastSync; c.Read > 0 {
			j.LastSync = &LastSyncJSON{Read: c.Read, Accepted: c.Accepted, Rejected: c.Rejected, RejectedRatio: c.RejectedRatio()}
		}
		out = append(out, j)
	}
	return out
}

// Readiness returns an Options.Ready that turns true once a served snapshot was evaluated over
// data that reflected every source's first sync outcome (settled is Runner.Settled), and then
// stays true, as Prometheus' readiness does: later syncs make newer data, not an unready server.
// A snapshot restored at start-up counts once every source's stored data is loaded: it is served
// figures, and its sources' staleness was checked when it was restored (Evaluator.Restore).
func Readiness(settled func() (uint64, bool)) func(*collector.Snapshot) bool {
	var ready atomic.Bool
	return func(s *collector.Snapshot) bool {
		if ready.Load() {
			return true
		}
		gen, ok := settled()
		// A restored snapshot is served figures: ready, once every source has its stored data
		// loaded (ok), so that the first evaluation, over that data, keeps it ready.
		if !ok || s.At.IsZero() || !s.Restored && s.DataGen < gen {
			return false
		}
		ready.Store(true)
		return true
	}
}
