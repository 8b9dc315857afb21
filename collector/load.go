package collector

import (
	"fmt"

	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// load fills a new source's data, checkpoint and health from the store, so that a restart serves
// the previous figures before the first sync and that sync resumes where the last one stopped.
// A state that cannot be read is dropped: the source then syncs from scratch, which is the only
// way to get correct records back.
func (r *Runner) load(s *sourceRun) {
	name := s.cfg.Name
	d := newSourceData(s.cfg.Tickets)
	var st store.State
	refused := 0
	var loadErr string
	if r.store != nil {
		var err error
		var snap *ticket.Store
		var why string
		start := r.clock.Now()
		st, snap, why, err = r.store.ScanSnapshot(name, s.ticketsKey(), s.cfg.Tickets, func(t *ticket.Ticket) error {
			// Only options changed since the commit can refuse a stored ticket.
			if err := d.tickets.Add(t); err != nil {
				refused++
				s.logger.Debug("stored ticket refused", "ticket", t.ID, "err", err)
			}
			return nil
		})
		s.logLoad(snap, why, d.tickets.Len(), r.clock.Now().Sub(start))
		if snap != nil {
			d.tickets = snap
			s.ticketsGen = st.Generation // the snapshot is current: no need to write it again
		}
		if err != nil {
			s.logger.Error("stored state unreadable, dropping it and syncing from scratch", "err", err)
			if err := r.store.Drop(name); err != nil {
				s.logger.Error("could not drop unreadable state", "err", err)
			}
			d, st, refused = newSourceData(s.cfg.Tickets), store.State{}, 0
			loadErr = fmt.Sprintf("stored state unreadable (dropped): %v", err)
		}
	}
	for series, u := range st.Uptime {
		if err := d.applyUptime(series, u.Samples, u.Outages, u.Maintenance, u.Covered); err != nil {
			s.logger.Error("stored series unusable", "series", series, "err", err)
		}
	}
	for series, b := range st.Events {
		if err := d.applyEvents(series, b); err != nil {
			s.logger.Error("stored series unusable", "series", series, "err", err)
		}
	}
	s.checkpoint = st.Checkpoint
	if !st.LastSuccess.IsZero() && st.Config != s.id {
		s.restart(s.cfg.Live)
	}
	if refused > 0 {
		s.logger.Warn("stored tickets refused by the ticket store options", "count", refused)
	}

	r.mu.Lock()
	r.publish(name, d)
	r.data.LastSuccess[name] = st.LastSuccess
	records := d.records()
	if !st.LastSuccess.IsZero() {
		// Figures from before the restart are served at once: nothing to wait for.
		r.data.Gen++
		r.firstGen[name] = r.data.Gen
	}
	r.mu.Unlock()

	r.setStatus(name, func(h *SourceStatus) {
		h.Type = s.cfg.Type
		h.State = SourcePending
		h.LastSuccess = st.LastSuccess
		h.Records = records
		h.Rejected = int(st.Rejected) + refused
		h.LastError = loadErr
	})
	if !st.LastSuccess.IsZero() {
		s.logger.Info("loaded stored state", "records", records, "last_success", st.LastSuccess)
	}
}

// publish makes d the data of source name in r.data, replacing what it had. Callers hold mu.
func (r *Runner) publish(name string, d *sourceData) {
	r.unpublish(name)
	r.per[name] = d
	r.data.Tickets[name] = d.tickets
	for series, u := range d.uptime {
		r.data.Uptime[SeriesName(name, series)] = u
	}
	for series, e := range d.events {
		r.data.Events[SeriesName(name, series)] = e
	}
}

// unpublish removes source name's data from r.data. Callers hold mu.
func (r *Runner) unpublish(name string) {
	old := r.per[name]
	if old == nil {
		return
	}
	for series := range old.uptime {
		delete(r.data.Uptime, SeriesName(name, series))
	}
	for series := range old.events {
		delete(r.data.Events, SeriesName(name, series))
	}
	delete(r.data.Tickets, name)
	delete(r.data.LastSuccess, name)
	delete(r.per, name)
}

// setStatus edits a source's health under statusMu, creating it if needed.
func (r *Runner) setStatus(name string, edit func(*SourceStatus)) {
	r.statusMu.Lock()
	defer r.statusMu.Unlock()
	st := r.status[name]
	if st == nil {
		st = &SourceStatus{SourceHealth: SourceHealth{Name: name}}
		r.status[name] = st
	}
	edit(st)
}
