// Package period computes compliance periods: calendar weeks, months, quarters and years in a time
// zone, and rolling windows of whole days.
//
// Calendar periods follow the local calendar, so their real length varies: a month holding a DST
// change in Europe/Rome lasts 743h or 745h, February 2024 lasts 29 days, and a week is seven
// local days (167h, 168h or 169h). A rolling period is always N×24h of real time. Every period
// is a half-open interval [start, end): an instant exactly on a boundary belongs to the period
// that starts there.
package period
