// Package prometheus is the prometheus source kind: availability series from 0/1 expressions
// (probe_success, up) and event-ratio series from counters, PromQL expressions or histograms, read from any server with
// Prometheus' HTTP API (Prometheus 2.x and 3.x, Thanos Query, Mimir, VictoriaMetrics) through
// client_golang's api/prometheus/v1.
//
// Availability is never a raw point per step, which would miss an outage shorter than the step
// and stretch a value over a gap. For every slice [s, s+step) the source counts, with a
// subquery at resolution, the evaluations of the expression that had a value, those that were
// 1, and those that were neither 0 nor 1 (availability.go says how the query reads the same
// evaluations on 2.x and 3.x). expected = step/resolution; up = ones/expected, down =
// (count-ones)/expected, and the rest of the slice is missing, reported as Unknown samples (so
// the objective's gap policy and coverage apply): Sample{s, Up}, Sample{s+up·step, Down},
// Sample{s+(up+down)·step, Unknown}, parts of zero length left out. A slice without any
// evaluation is Unknown; one with values other than 0 and 1, or more evaluations than it holds
// (an expression giving two series for one), is rejected and Unknown. After the last slice read
// comes an Unknown sample, so that nothing stretches over time not read yet.
//
// Events are exact counts, not increase(), which extrapolates: the source reads the raw samples
// of the counters (a range selector at an instant) and adds up the increases between
// consecutive samples of each series, a drop being a reset (the increase is then the new
// value), each in the bucket holding the later sample.
//
// Events may also come from PromQL (queries.go): Sloth's error_query|good_query and total_query
// with {{.window}}, rates over the window evaluated once per bucket at its end, the window being
// step, each bucket counting rate × step (approximate: rate extrapolates); or such expressions
// without {{.window}}, counters evaluated every resolution whose increases are counted as those of
// raw samples. Latency entries (latency.go) count a histogram's observations at most le from raw
// samples: a classic one's _bucket{le} and _count exactly, a native one's buckets with linear
// interpolation inside the bucket le falls in.
//
// Only complete slices are read (up to now less one resolution, aligned down to step). The
// first sync reads the backfill (by default the current and previous calendar month), later
// syncs from the checkpoint less the overlap; both in chunks that keep every query under 10,000
// points per series (Prometheus refuses range queries of more than 11,000). Slices read again
// are written with a sample per evaluation, so that the samples an earlier read left inside
// them are all replaced; buckets read again come whole, since their raw samples are read from
// one lookback before them.
//
// A failure fails the sync, and nothing of it is used: the server unreachable, an error
// answer, a timeout, and an answer with warnings (they mean partial data). An expression
// giving no series over a chunk is not a failure: a fixed series is then missing for every
// slice; a fan-out (series_label) has nothing to report.
package prometheus
