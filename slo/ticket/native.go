package ticket

import (
	"fmt"
	"time"
)

// maxNative bounds a ticket's native SLA records: the store counts them in 8 bits, and a ticket
// with hundreds of SLA cycles is a loop in the tool's SLA configuration, not a ticket.
const maxNative = 1<<8 - 1

// nativeRec is a NativeSLA as the store keeps it: Unix seconds, noTime for an absent instant
// (a start included).
type nativeRec struct {
	start, deadline, stop int64
	name                  uint32
	clock                 uint8 // 0 none, else Kind+1
	breached, paused      bool
}

// ClockKind is the kind of clock a native SLA measures, and whether it maps to one. The names
// are exact, lower-case: the store keeps the kind, not the text.
func (n *NativeSLA) ClockKind() (Kind, bool) {
	for i, name := range kindNames {
		if n.Clock == name {
			return Kind(i), true
		}
	}
	return 0, false
}

// validateNative checks the native SLA records: each names its SLA and a clock the engine knows
// (or none), and has no stop or deadline before its start. A record may lack a start: a metric
// the tool has not started (Zendesk's next_reply_time before the requester writes), or whose
// start it does not say; such a record is kept but not compared.
func (t *Ticket) validateNative() error {
	if len(t.Native) > maxNative {
		return fmt.Errorf("ticket %s: %d native SLA cycles, more than the %d kept", t.ID, len(t.Native), maxNative)
	}
	for i := range t.Native {
		n := &t.Native[i]
		if n.Name == "" {
			return fmt.Errorf("ticket %s: native SLA entry %d has no name", t.ID, i)
		}
		what := fmt.Sprintf("ticket %s: native SLA %q started %s", t.ID, n.Name, stamp(n.Start))
		if n.Start.IsZero() {
			what = fmt.Sprintf("ticket %s: native SLA %q (entry %d)", t.ID, n.Name, i)
		}
		if _, ok := n.ClockKind(); !ok && n.Clock != "" {
			return fmt.Errorf("%s: clock %q is not response, resolution or empty", what, n.Clock)
		}
		if n.Start.IsZero() {
			continue
		}
		// Compared in whole seconds, as the store keeps them: a tool that writes milliseconds
		// may stop a cycle in the second it started.
		if !n.Stop.IsZero() && n.Stop.Unix() < n.Start.Unix() {
			return fmt.Errorf("%s: stop %s is before the start", what, stamp(n.Stop))
		}
		if !n.Deadline.IsZero() && n.Deadline.Unix() < n.Start.Unix() {
			return fmt.Errorf("%s: deadline %s is before the start", what, stamp(n.Deadline))
		}
	}
	return nil
}

func unixOrNone(t time.Time) int64 {
	if t.IsZero() {
		return noTime
	}
	return t.Unix()
}

func timeOrZero(u int64) time.Time {
	if u == noTime {
		return time.Time{}
	}
	return time.Unix(u, 0).UTC()
}

// addNative appends t's native records to the shared array and counts them per clock.
func (s *Store) addNative(t *Ticket) {
	for i := range t.Native {
		n := &t.Native[i]
		r := nativeRec{start: unixOrNone(n.Start), deadline: unixOrNone(n.Deadline), stop: unixOrNone(n.Stop),
			name: s.intern(n.Name), breached: n.Breached, paused: n.Paused}
		if k, ok := n.ClockKind(); ok {
			r.clock = uint8(k) + 1
		}
		s.nativeByClock[r.clock]++
		s.natives = append(s.natives, r)
	}
}

// dropNative forgets the per-clock counts of a replaced ticket's records, which become garbage.
func (s *Store) dropNative(r *record) {
	for _, n := range s.natives[r.native : r.native+uint32(r.nnative)] {
		s.nativeByClock[n.clock]--
	}
	s.nativeGarbage += int(r.nnative)
}

// HasNative reports whether any ticket of the store holds a native SLA record of clock k: the
// source imports the tool's own SLA state for that clock.
func (s *Store) HasNative(k Kind) bool {
	return int(k)+1 < len(s.nativeByClock) && s.nativeByClock[k+1] > 0
}

// NativeLen is the number of native SLA records of the ticket.
func (v View) NativeLen() int { return int(v.r.nnative) }

// Native returns native SLA record j, times in UTC to the second.
func (v View) Native(j int) NativeSLA {
	r := &v.s.natives[int(v.r.native)+j]
	n := NativeSLA{Name: v.s.strs[r.name], Start: timeOrZero(r.start), Deadline: timeOrZero(r.deadline),
		Stop: timeOrZero(r.stop), Breached: r.breached, Paused: r.paused}
	if r.clock > 0 {
		n.Clock = Kind(r.clock - 1).String()
	}
	return n
}
