package kpi

import "github.com/sla-exporter/sla_exporter/slo/ticket"

// These read one ticket's status history up to now. n is always the count seen(v, now) returns, so
// a change after now is never looked at. See the package comment for the definitions.

// seen is the number of status changes at or before now. History is in time order, and most of it
// is in the past, so the scan starts at the end.
func seen(v ticket.View, now int64) int {
	n := v.HistoryLen()
	for n > 0 {
		if at, _ := v.History(n - 1); at <= now {
			break
		}
		n--
	}
	return n
}

// done reports whether the category ends a resolution clock. Cancelled does not: a withdrawn
// ticket was not resolved.
func done(c ticket.Category) bool { return c == ticket.Resolved || c == ticket.Closed }

// active reports whether the category means work is outstanding, so that entering it after a stop
// is a reopen.
func active(c ticket.Category) bool { return c == ticket.Open || c == ticket.Paused }

// open reports whether the ticket is in the backlog: open or paused at now, or without any status
// yet.
func open(v ticket.View, n int) bool {
	if n == 0 {
		return true
	}
	_, c := v.History(n - 1)
	return active(c)
}

// finalRun is the index of the first change of the run of Resolved and Closed changes that ends the
// history, or -1 when the ticket is not resolved at now.
func finalRun(v ticket.View, n int) int {
	j := n
	for j > 0 {
		if _, c := v.History(j - 1); !done(c) {
			break
		}
		j--
	}
	if j == n {
		return -1
	}
	return j
}

// resolution is the instant of the ticket's resolution and the index where its final run starts.
func resolution(v ticket.View, n int) (at int64, run int, ok bool) {
	run = finalRun(v, n)
	if run < 0 {
		return 0, -1, false
	}
	at, _ = v.History(run)
	return at, run, true
}

// closure is the instant of the first Closed change of the final run, when the ticket is closed.
func closure(v ticket.View, n int) (int64, bool) {
	if n == 0 {
		return 0, false
	}
	if _, c := v.History(n - 1); c != ticket.Closed {
		return 0, false
	}
	for j := finalRun(v, n); ; j++ {
		if at, c := v.History(j); c == ticket.Closed {
			return at, true
		}
	}
}

// firstStop is the index of the first stop at or after instant from and before to, or -1.
func firstStop(v ticket.View, n int, from, to int64) int {
	prevDone := false
	for j := range n {
		at, c := v.History(j)
		if at >= to {
			break
		}
		if done(c) && !prevDone && at >= from {
			return j
		}
		prevDone = done(c)
	}
	return -1
}

// reopenedAfter reports whether a change after change j is Open or Paused.
func reopenedAfter(v ticket.View, n, j int) bool {
	for k := j + 1; k < n; k++ {
		if _, c := v.History(k); active(c) {
			return true
		}
	}
	return false
}

// everReopened reports whether any stop was reopened. The first stop is the earliest change to
// Resolved or Closed; a reopen of a later stop follows it too.
func everReopened(v ticket.View, n int) bool {
	for j := range n {
		if _, c := v.History(j); done(c) {
			return reopenedAfter(v, n, j)
		}
	}
	return false
}
