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
	for _, st := range r.status {
		out = append(out, *st)
	}
	r.statusMu.Unlock()
	for i := range out {
		out[i].Requests = r.requests.Counts(out[i].Name)
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
