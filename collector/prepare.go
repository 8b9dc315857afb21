package collector

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// prepared is a batch checked record by record, ready to commit and apply. Records the engine
// would refuse are rejected here, before the commit, so the store never holds a record that a
// restart would refuse again, and the stored rejected count is exact.
type prepared struct {
	// tickets are the batch's accepted tickets, unless it replaces the source's data: then they
	// are only in fresh (ntickets counts them), so that a large snapshot is not held twice.
	tickets  []ticket.Ticket
	ntickets int
	uptime   []store.Uptime
	events   []store.Events
	rejected []Rejection
	// fresh is the source's complete new data when the batch replaces the old, built before
	// taking the lock so that readers wait only for a pointer swap.
	fresh *sourceData
	// deleted are the held tickets the batch drops (Batch.Deleted, Batch.Reconciled), and
	// heldTickets the tickets held before it; both zero for a Replace.
	deleted     []string
	heldTickets int
}

// deletions lists the ids of held tickets that b drops: those of b.Deleted, and when b is a
// reconciliation those missing from b.Present; never one b brings. Sorted, each once.
func deletions(b *Batch, held *ticket.Store) []string {
	if !b.Reconciled && len(b.Deleted) == 0 {
		return nil
	}
	brought := make(map[string]bool, len(b.Tickets))
	for i := range b.Tickets {
		brought[b.Tickets[i].ID] = true
	}
	var out []string
	if b.Reconciled {
		present := make(map[string]bool, len(b.Present))
		for _, id := range b.Present {
			present[id] = true
		}
		for i := range held.Len() {
			if id := held.View(i).ID(); !present[id] && !brought[id] {
				out = append(out, id)
			}
		}
	}
	for _, id := range b.Deleted {
		if _, ok := held.Find(id); ok && !brought[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// without copies the tickets of st but those with the given ids (sorted) into a new store. The
// copy records its lineage (ticket.Store.Without), so the evaluation's caches survive a deletion.
func without(st *ticket.Store, ids []string, opts ticket.StoreOptions) *ticket.Store {
	return st.Without(ids, opts)
}

func prepare(b *Batch, opts ticket.StoreOptions, aliases map[string]string, replace bool) (*prepared, error) {
	p := &prepared{rejected: append([]Rejection(nil), b.Rejected...)}
	// Adding to an empty store runs exactly the checks Add would run on the live one (they do
	// not depend on the other tickets); on a Replace it is the new store.
	scratch := ticket.NewStore(opts)
	if !replace {
		p.tickets = make([]ticket.Ticket, 0, len(b.Tickets))
	}
	for i := range b.Tickets {
		t := &b.Tickets[i]
		if aliases != nil {
			canon, ok := aliases[strings.ToLower(t.Priority)]
			if !ok {
				p.rejected = append(p.rejected, Rejection{Where: cmp.Or(t.ID, fmt.Sprintf("ticket %d of the batch", i)),
					Reason: fmt.Sprintf("priority %q is not mapped by the source's priorities", t.Priority)})
				continue
			}
			t.Priority = canon
		}
		if err := scratch.Add(t); err != nil {
			where := t.ID
			if where == "" {
				where = fmt.Sprintf("ticket %d of the batch", i)
			}
			p.rejected = append(p.rejected, Rejection{Where: where, Reason: err.Error()})
			continue
		}
		p.ntickets++
		if replace {
			// The new store holds it now: let its history and id go while the rest are
			// added, so that a snapshot's peak is not the whole batch and the whole store.
			*t = ticket.Ticket{}
			continue
		}
		p.tickets = append(p.tickets, *t)
	}
	if replace {
		// The new store holds the tickets now, and the commit reads them from it: drop the
		// batch's, so that a snapshot is held once from here on, not as a store and a batch.
		b.Tickets = nil
	}
	for _, u := range b.Uptime {
		p.uptime = append(p.uptime, p.checkUptime(u))
	}
	for _, e := range b.Events {
		p.events = append(p.events, p.checkEvents(e))
	}
	if !replace {
		return p, nil
	}
	p.fresh = &sourceData{tickets: scratch, uptime: map[string]*Uptime{}, events: map[string]*EventCounts{}}
	for _, u := range p.uptime {
		if err := p.fresh.applyUptime(u.Series, u.Samples, u.Outages, u.Maintenance, coverage(u)); err != nil {
			return nil, fmt.Errorf("series %q: %w", u.Series, err)
		}
	}
	for _, e := range p.events {
		if err := p.fresh.applyEvents(e.Series, e.Buckets); err != nil {
			return nil, fmt.Errorf("series %q: %w", e.Series, err)
		}
	}
	return p, nil
}

func coverage(u store.Uptime) []Span {
	if u.Covered == (Span{}) {
		return nil
	}
	return []Span{u.Covered}
}

func (p *prepared) reject(series, what string, at time.Time, reason string) {
	where := fmt.Sprintf("series %s %s at %s", series, what, at.UTC().Format(time.RFC3339))
	if at.IsZero() {
		where = fmt.Sprintf("series %s %s", series, what)
	}
	p.rejected = append(p.rejected, Rejection{Where: where, Reason: reason})
}

// checkUptime keeps the samples and outages availability.FromSamples and FromOutages accept.
func (p *prepared) checkUptime(u UptimeSeries) store.Uptime {
	out := store.Uptime{Series: u.Series}
	for _, s := range u.Samples {
		switch {
		case !timeOK(s.At):
			p.reject(u.Series, "sample", s.At, "time missing or out of range")
		case s.State > availability.Degraded:
			p.reject(u.Series, "sample", s.At, fmt.Sprintf("invalid state %d", s.State))
		default:
			out.Samples = append(out.Samples, s)
		}
	}
	for _, o := range u.Outages {
		switch {
		case !timeOK(o.Start) || !timeOK(o.End):
			p.reject(u.Series, "outage", o.Start, "start or end missing or out of range")
		case !o.Start.Before(o.End):
			p.reject(u.Series, "outage", o.Start, fmt.Sprintf("end %s is not after start", o.End.UTC().Format(time.RFC3339)))
		case o.State != availability.Down && o.State != availability.Degraded:
			p.reject(u.Series, "outage", o.Start, fmt.Sprintf("state %s, want down or degraded", o.State))
		default:
			out.Outages = append(out.Outages, o)
		}
	}
	for _, w := range u.Maintenance {
		switch {
		case !timeOK(w.Start) || !timeOK(w.End):
			p.reject(u.Series, "maintenance", w.Start, "start or end missing or out of range")
		case !w.Start.Before(w.End):
			p.reject(u.Series, "maintenance", w.Start, fmt.Sprintf("end %s is not after start", w.End.UTC().Format(time.RFC3339)))
		default:
			out.Maintenance = append(out.Maintenance, w)
		}
	}
	switch {
	case u.CoveredFrom.IsZero() && u.CoveredTo.IsZero():
	case !timeOK(u.CoveredFrom) || !timeOK(u.CoveredTo) || u.CoveredTo.Before(u.CoveredFrom):
		p.reject(u.Series, "coverage", u.CoveredFrom, "coverage bounds missing, out of range or reversed")
	default:
		out.Covered = Span{From: u.CoveredFrom, To: u.CoveredTo}
	}
	return out
}

// checkEvents keeps the buckets events.New accepts, with a storable start. Buckets of the batch
// sharing a start are summed, as events.New sums them; a later batch's bucket then replaces the
// sum, since a source re-reading an overlapping window reports whole buckets again.
func (p *prepared) checkEvents(e EventSeries) store.Events {
	out := store.Events{Series: e.Series}
	at := map[int64]int{} // start -> index in out.Buckets
	for _, b := range e.Buckets {
		if !timeOK(b.Start) {
			p.reject(e.Series, "bucket", b.Start, "start missing or out of range")
			continue
		}
		if _, err := events.New([]events.Bucket{b}); err != nil {
			// Keep the reason, not New's "bucket 0 at ...: invalid bucket: " prefix.
			_, reason, ok := strings.Cut(err.Error(), events.ErrInvalidBucket.Error()+": ")
			if !ok {
				reason = err.Error()
			}
			p.reject(e.Series, "bucket", b.Start, reason)
			continue
		}
		k := b.Start.UnixNano()
		if i, ok := at[k]; ok {
			out.Buckets[i].Good += b.Good
			out.Buckets[i].Total += b.Total
			continue
		}
		at[k] = len(out.Buckets)
		out.Buckets = append(out.Buckets, b)
	}
	return out
}

// timeOK refuses the zero time (an unset field) and times the store cannot key.
func timeOK(t time.Time) bool { return !t.IsZero() && store.KeyTimeOK(t) }
