// Package availability turns probe samples or outage records into time-based availability, judged
// in timeslices.
//
// Time is cut into slices of Config.Slice aligned on multiples of Slice since the Unix epoch.
// Within each slice every instant is Up, Down, Degraded, missing (no data) or in maintenance.
// Maintenance is removed from the slice; missing time is removed, counted up or counted down
// according to Config.Gaps; what remains is the slice's eligible time. The slice is Good when
//
//	(up + DegradedWeight×degraded [+ missing under GapGood]) / eligible >= GoodThreshold
//
// Bad when it is not, and Excluded when nothing eligible is left. A Timeline holds the verdicts
// for a range, built once, and answers Counts for any sub-window in constant time.
//
// Besides Good and Bad, Counts reports Covered (time with real data) and Eligible (time outside
// maintenance) to the nanosecond, so that Covered/Eligible shows how much of the attainment rests
// on evidence: a gap is never allowed to pass for uptime unnoticed.
package availability
