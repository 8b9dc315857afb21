package collector

import (
	"cmp"
	"fmt"
	"slices"
)

// Source states: the values of the status label of sla_source_status. One of them is current
// for every configured source.
const (
	// SourcePending: the source has not finished its first sync.
	SourcePending = "pending"
	// SourceOK: the last sync succeeded and its data was committed.
	SourceOK = "ok"
	// SourceSyncFailed: the last sync failed (network, authentication, a file missing ...).
	SourceSyncFailed = "sync_failed"
	// SourceRejecting: the last sync returned too many malformed records to be trusted; its batch
	// was not committed and the last good data is kept.
	SourceRejecting = "rejecting"
	// SourceShrunk: the last sync, a full snapshot, held far fewer records than the source holds
	// (a truncated export); its batch was not committed and the last good data is kept.
	SourceShrunk = "shrunk"
)

// SourceStates lists the source states in the order they are published.
var SourceStates = []string{SourcePending, SourceOK, SourceSyncFailed, SourceRejecting, SourceShrunk}

// Default health policy.
const (
	// DefaultMinVolumeRatio: a full snapshot of half the records held, or fewer, is taken for
	// truncated.
	DefaultMinVolumeRatio = 0.5
	// maxReasons bounds the rejection reasons kept per source for the page and the API.
	maxReasons = 10
)

// HealthPolicy says when a batch is too broken to commit. A batch it refuses leaves the source's
// last good data in place, and the source reads down: its objectives and KPIs turn no_data once
// that data is older than the staleness limit, and at once when there is none.
type HealthPolicy struct {
	// MaxRejectedRatio is the share of the records read that may be rejected; above it the batch
	// is refused. A batch whose every record was rejected, or whose rejections outnumber half
	// the records the source holds, is refused whatever this says. Zero leaves only those rules
	// (the default).
	MaxRejectedRatio float64
	// MinVolumeRatio applies to full snapshots (Batch.Replace) of a source that holds records: a
	// snapshot with at most this share of them is refused as truncated (an export cut in half). Zero disables the
	// check; configurations default it to DefaultMinVolumeRatio.
	MinVolumeRatio float64
}

// SyncCounts are the records of a source's last completed sync.
type SyncCounts struct {
	// Read is every record read, Accepted those kept, Rejected those skipped as malformed.
	Read, Accepted, Rejected int
}

// RejectedRatio is the share of the records read that were rejected, 0 when none were read.
func (c SyncCounts) RejectedRatio() float64 {
	if c.Read == 0 {
		return 0
	}
	return float64(c.Rejected) / float64(c.Read)
}

// RejectionReason is one cause of rejections and how many records of the last sync it took.
type RejectionReason struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
	// Example is where one such record was ("file.csv:17").
	Example string `json:"example"`
	// Setting is the configuration key the records do not fit, when the cause is the settings.
	Setting string `json:"setting,omitempty"`
}

// batchRecords counts a prepared batch's records the way sla_source_records counts held ones.
func batchRecords(p *prepared) int {
	n := p.ntickets
	for _, u := range p.uptime {
		n += len(u.Samples) + len(u.Outages)
	}
	for _, e := range p.events {
		n += len(e.Buckets)
	}
	return n
}

// judge decides whether a prepared batch may be committed, given the records the source holds
// now. It returns the counts of the sync and, for a batch to refuse, the state and why.
func (h HealthPolicy) judge(b *Batch, p *prepared, held int, replace bool) (SyncCounts, string, string) {
	setup := 0
	for _, r := range p.rejected {
		if r.Setup {
			setup++
		}
	}
	c := SyncCounts{Accepted: batchRecords(p), Rejected: len(p.rejected)}
	// Records rejected after the source (by the ticket store's checks) were read too.
	c.Read = max(b.Read, c.Accepted+c.Rejected)
	// The rules weigh the records read: rejections of the settings are in the counts reported,
	// and refuse nothing.
	records := SyncCounts{Accepted: c.Accepted, Rejected: c.Rejected - setup}
	records.Read = max(b.Read, records.Accepted+records.Rejected)
	state, reason := h.decide(records, b, p, held, replace)
	return c, state, reason
}

// decide applies the rules to the counts of the records read.
func (h HealthPolicy) decide(c SyncCounts, b *Batch, p *prepared, held int, replace bool) (state, reason string) {
	switch {
	case c.Rejected > 0 && c.Accepted == 0:
		return SourceRejecting, fmt.Sprintf("all %d records read were rejected", c.Read)
	case h.MaxRejectedRatio > 0 && c.RejectedRatio() > h.MaxRejectedRatio:
		return SourceRejecting, fmt.Sprintf("%d of %d records read were rejected (%.1f%%, above max_rejected_ratio %g)",
			c.Rejected, c.Read, 100*c.RejectedRatio(), h.MaxRejectedRatio)
	case held > 0 && float64(c.Rejected) > float64(held)/2:
		return SourceRejecting, fmt.Sprintf("%d records were rejected, more than half of the %d the source holds", c.Rejected, held)
	case replace && held > 0 && h.MinVolumeRatio > 0 && float64(c.Accepted) <= h.MinVolumeRatio*float64(held):
		return SourceShrunk, fmt.Sprintf("the snapshot holds %d records where the source holds %d (at most min_volume_ratio %g of them): taken for a truncated export",
			c.Accepted, held, h.MinVolumeRatio)
	case b.Reconciled && p.heldTickets > 0 && h.MinVolumeRatio > 0 &&
		float64(p.heldTickets-len(p.deleted)) <= h.MinVolumeRatio*float64(p.heldTickets):
		return SourceShrunk, fmt.Sprintf("the reconciliation would drop %d of the %d tickets held (leaving at most min_volume_ratio %g of them): taken for a truncated listing",
			len(p.deleted), p.heldTickets, h.MinVolumeRatio)
	}
	return SourceOK, ""
}

// summarize groups rejections by cause, most frequent first, keeping the first maxReasons.
func summarize(rej []Rejection) []RejectionReason {
	if len(rej) == 0 {
		return nil
	}
	at := map[string]int{}
	var out []RejectionReason
	for _, x := range rej {
		reason := cmp.Or(x.Rule, x.Reason)
		key := x.Setting + "\x00" + reason // the same words about two settings are two causes
		if i, ok := at[key]; ok {
			out[i].Count++
			continue
		}
		at[key] = len(out)
		out = append(out, RejectionReason{Reason: reason, Count: 1, Example: x.Where, Setting: x.Setting})
	}
	// Stable: among equal counts, the cause met first stays first.
	slices.SortStableFunc(out, func(a, b RejectionReason) int { return cmp.Compare(b.Count, a.Count) })
	if len(out) > maxReasons {
		out = out[:maxReasons]
	}
	return out
}
