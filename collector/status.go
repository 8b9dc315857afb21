package collector

import (
	"slices"
	"strings"
	"time"
)

// SourceStatus is a source's health as the runner sees it: the SourceHealth the exposition
// publishes, and what the logs and the status page add.
type SourceStatus struct {
	SourceHealth
	Type string
	// LastError is the error of the last failed sync, cleared by a successful one. It is the
	// source's error text as is: sources scrub credentials from it (URLs included), and the
	// runner adds none.
	LastError string
	// LastAttempt is when the last sync ended, successful or not.
	LastAttempt time.Time
}

// Status returns a snapshot of every configured source's health, sorted by name.
func (r *Runner) Status() []SourceStatus {
	r.statusMu.Lock()
	out := make([]SourceStatus, 0, len(r.status))
	built := make([]Source, 0, len(r.status))
	for name, st := range r.status {
		out = append(out, *st)
		built = append(built, r.built[name])
	}
	r.statusMu.Unlock()
	for i := range out {
		out[i].Requests = r.requests.Counts(out[i].Name)
		if s, ok := built[i].(apiStatser); ok {
			st := s.APIStats()
			out[i].API = &st
		}
		if s, ok := built[i].(probeReporter); ok {
			out[i].Probes = s.ProbeResults()
		}
		if s, ok := built[i].(toolSLIReporter); ok {
			out[i].ToolSLIs = s.ToolSLIs()
		}
	}
	slices.SortFunc(out, func(a, b SourceStatus) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Health returns the SourceHealth part of Status, for the exposition's snapshot.
func (r *Runner) Health() []SourceHealth {
	st := r.Status()
	out := make([]SourceHealth, len(st))
	for i := range st {
		out[i] = st[i].SourceHealth
	}
	return out
}

// StoreHealth reports how writing to the store is doing.
func (r *Runner) StoreHealth() StoreHealth {
	r.statusMu.Lock()
	defer r.statusMu.Unlock()
	h := r.storeHealth
	h.Configured = r.store != nil
	return h
}

// storeWrite records the outcome of a write to the store.
func (r *Runner) storeWrite(err error, _ time.Time) {
	r.statusMu.Lock()
	defer r.statusMu.Unlock()
	if err != nil {
		r.storeHealth.OK, r.storeHealth.LastError = false, err.Error()
		r.storeHealth.Failures++
		return
	}
	r.storeHealth.OK, r.storeHealth.LastError = true, ""
}

// settle records that a source finished a sync attempt: the data generation moves on, and the
// first attempt's generation is what readiness waits for an evaluation to have read.
func (r *Runner) settle(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.data.Gen++
	if g, ok := r.firstGen[name]; ok && g == 0 {
		r.firstGen[name] = r.data.Gen
	}
}

// Settled returns the data generation by which every configured source had finished its first
// sync attempt (or loaded data stored before a restart), and false while one has not: an
// evaluation that read Data.Gen at or past it reflects every source's first outcome.
func (r *Runner) Settled() (uint64, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var top uint64
	for _, g := range r.firstGen {
		if g == 0 {
			return 0, false
		}
		top = max(top, g)
	}
	return top, true
}

// setSource records which source a status is about, for the statistics it keeps.
func (r *Runner) setSource(name string, src Source) {
	r.statusMu.Lock()
	defer r.statusMu.Unlock()
	if src == nil {
		delete(r.built, name)
		return
	}
	r.built[name] = src
}
