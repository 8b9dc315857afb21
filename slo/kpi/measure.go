package kpi

import (
	"slices"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// measures holds, per kind, what one ticket contributes to the tally.
var measures = [...]func(*eval, ticket.View) error{
	MTTA:          (*eval).mtta,
	MTTR:          (*eval).mttr,
	Backlog:       (*eval).backlog,
	BacklogAge:    (*eval).backlogAge,
	ReopenRate:    (*eval).reopenRate,
	FCR:           (*eval).fcr,
	CSAT:          (*eval).csat,
	ChangeSuccess: (*eval).changeSuccess,
	Created:       (*eval).created,
	Resolved:      (*eval).resolved,
}

func (e *eval) mtta(v ticket.View) error {
	r, ok := v.FirstResponse()
	if !ok || !e.in(r) || r > e.now {
		return nil
	}
	d, err := e.duration(v.Created(), r)
	if err != nil {
		return err
	}
	e.t.add(float64(d))
	return nil
}

func (e *eval) mttr(v ticket.View) error {
	n := seen(v, e.now)
	at, run, ok := resolution(v, n)
	if !ok || !e.in(at) {
		return nil
	}
	d, err := e.duration(v.Created(), at)
	if err != nil {
		return err
	}
	if e.spec.ExcludePaused {
		// A Paused change before the final run is always followed by another change, at or before
		// the resolution, and no change precedes creation: the pauses are disjoint intervals inside
		// [created, resolution], whose ends duration has checked against the calendar. Their sum
		// cannot exceed d, which is why the subtraction is done on whole seconds.
		for j := range run {
			start, c := v.History(j)
			if c != ticket.Paused {
				continue
			}
			end, _ := v.History(j + 1)
			d -= e.elapsed(start, end)
		}
	}
	e.t.add(float64(d))
	return nil
}

func (e *eval) backlog(v ticket.View) error {
	if open(v, seen(v, e.now)) {
		e.t.n++
	}
	return nil
}

func (e *eval) backlogAge(v ticket.View) error {
	if !open(v, seen(v, e.now)) {
		return nil
	}
	d, err := e.duration(v.Created(), e.now)
	if err != nil {
		return err
	}
	e.t.add(float64(d))
	return nil
}

func (e *eval) reopenRate(v ticket.View) error {
	n := seen(v, e.now)
	// If any stop in the window was reopened, the first one was too: the reopen follows it.
	if j := firstStop(v, n, e.from, e.to); j >= 0 {
		e.t.count(reopenedAfter(v, n, j))
	}
	return nil
}

func (e *eval) fcr(v ticket.View) error {
	n := seen(v, e.now)
	if at, _, ok := resolution(v, n); ok && e.in(at) {
		e.t.count(v.Reassignments() == 0 && !everReopened(v, n))
	}
	return nil
}

func (e *eval) csat(v ticket.View) error {
	if at, _, ok := resolution(v, seen(v, e.now)); !ok || !e.in(at) {
		return nil
	}
	// Only Good and Bad are answers; Unrated, or any value a source should not have produced, is
	// not a rating.
	switch v.Rating() {
	case ticket.Good:
		e.t.count(true)
	case ticket.Bad:
		e.t.count(false)
	}
	return nil
}

func (e *eval) changeSuccess(v ticket.View) error {
	at, ok := closure(v, seen(v, e.now))
	if !ok || !e.in(at) {
		return nil
	}
	outcome, has := v.Field(e.spec.Field)
	e.t.count(has && slices.Contains(e.spec.SuccessValues, outcome))
	return nil
}

func (e *eval) created(v ticket.View) error {
	if e.in(v.Created()) {
		e.t.n++
	}
	return nil
}

func (e *eval) resolved(v ticket.View) error {
	if at, _, ok := resolution(v, seen(v, e.now)); ok && e.in(at) {
		e.t.n++
	}
	return nil
}
