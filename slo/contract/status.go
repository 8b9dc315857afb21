package contract

import "fmt"

// Status sums up a contract's period for people and alerts.
type Status uint8

// Statuses.
const (
	// Unknown: an objective of the contract has no data (or stale data), so the credit cannot be
	// computed; it never reads as "nothing owed".
	Unknown Status = iota
	// OK: no credit earned, and none forecast.
	OK
	// AtRisk: no credit earned so far, but the forecast at the period's end earns one.
	AtRisk
	// CreditDue: the attainment so far (or, for a finished period, the final one) earns a
	// credit.
	CreditDue
)

// Statuses lists every status in the order of the constants; the exposition emits one series
// for each.
var Statuses = []Status{Unknown, OK, AtRisk, CreditDue}

var statusNames = [...]string{"unknown", "ok", "at_risk", "credit_due"}

// String is the status as published in the status label.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", s)
}

// CurrentStatus sums up the period in progress from its running credit (what the attainment so
// far would earn if the period ended now) and its forecast credit: unknown when the running
// credit is, credit_due when it is above zero, at_risk when only the forecast earns a credit, ok
// otherwise. A forecast that is unknown (rolling periods have none) does not make the status
// unknown: the running credit alone answers "is anything owed so far".
func CurrentStatus(running, forecast Result) Status {
	s := running.Status()
	if s == OK && forecast.Status() == CreditDue {
		return AtRisk
	}
	return s
}
