package collector

import (
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// TicketSnapshotGap is the least time between two ticket snapshots of a source while it runs
// (store.DB.SaveTickets): writing one costs about a second of CPU per million tickets, so a
// source syncing every minute does not pay it every minute. A source also writes one when it
// stops, so a clean restart always finds a current snapshot; after a crash, a snapshot older
// than the last commit is ignored and the tickets are read from the database.
const TicketSnapshotGap = 10 * time.Minute

// ticketsKey identifies the settings a ticket snapshot was built under: the source's identity
// and its ticket store options, which decide what the store accepted.
func (s *sourceRun) ticketsKey() string {
	return s.id + "\x00" + strings.Join(s.cfg.Tickets.Priorities, "\x00")
}

// saveTickets writes the source's ticket snapshot when the source committed since the last one,
// is not catching up (more to fetch) and the gap has passed, or when it stops. It runs on the
// source's goroutine, the only one that commits or changes the source's tickets, so the
// snapshot holds exactly the last commit.
func (r *Runner) saveTickets(s *sourceRun, stopping bool) {
	if r.store == nil || !stopping && (s.more || r.clock.Now().Sub(s.ticketsSaved) < TicketSnapshotGap) {
		return
	}
	name := s.cfg.Name
	gen, err := r.store.Generation(name)
	if err != nil || gen == 0 || gen == s.ticketsGen {
		return
	}
	r.mu.RLock()
	d := r.per[name]
	r.mu.RUnlock()
	if d == nil {
		return
	}
	start := r.clock.Now()
	if err := r.store.SaveTickets(name, s.ticketsKey(), d.tickets); err != nil {
		// Not fatal: the next start reads the tickets from the database.
		s.logger.Warn("could not write the ticket snapshot", "err", err)
		return
	}
	s.ticketsGen, s.ticketsSaved = gen, r.clock.Now()
	s.logger.Debug("ticket snapshot written", "tickets", d.tickets.Len(), "duration", s.ticketsSaved.Sub(start))
}

// logLoad says how the stored tickets were loaded: from a current snapshot, or one by one from
// the database, and why a snapshot there was could not be used.
func (s *sourceRun) logLoad(snap *ticket.Store, why string, scanned int, took time.Duration) {
	switch {
	case snap != nil:
		s.logger.Info("stored tickets loaded from the ticket snapshot", "tickets", snap.Len(), "duration", took)
	case why != "":
		s.logger.Info("ticket snapshot not used; stored tickets read one by one", "reason", why, "tickets", scanned, "duration", took)
	case scanned > 0:
		s.logger.Debug("stored tickets read one by one (no ticket snapshot)", "tickets", scanned, "duration", took)
	}
}
