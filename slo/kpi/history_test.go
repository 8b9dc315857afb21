package kpi

import "testing"

// The definitions in the package comment, one ticket at a time. Offsets from t0; now = 1000.
func TestHistory(t *testing.T) {
	const now = t0 + 1000
	type want struct {
		open       bool
		resolution int64 // offset; -1 when not resolved
		closure    int64 // offset; -1 when not closed
		stop       int   // index of the first stop in [100, 500), or -1
		reopened   bool
	}
	tests := []struct {
		name string
		hist []any
		want want
	}{
		{"no status yet", nil, want{open: true, resolution: -1, closure: -1, stop: -1}},
		{"open", h(0, O), want{open: true, resolution: -1, closure: -1, stop: -1}},
		{"paused", h(0, O, 200, P), want{open: true, resolution: -1, closure: -1, stop: -1}},
		{"resolved then closed: resolved at the first", h(0, O, 200, R, 300, C), want{resolution: 200, closure: 300, stop: 1}},
		{"closed directly", h(0, O, 200, C), want{resolution: 200, closure: 200, stop: 1}},
		{"reopened: resolved again", h(0, O, 150, R, 200, O, 600, R), want{resolution: 600, closure: -1, stop: 1, reopened: true}},
		{"reopened into paused", h(0, O, 150, R, 200, P), want{open: true, resolution: -1, closure: -1, stop: 1, reopened: true}},
		{"reopened after now does not count", h(0, O, 150, R, 2000, O), want{resolution: 150, closure: -1, stop: 1}},
		{"resolved after now is still open", h(0, O, 1001, R), want{open: true, resolution: -1, closure: -1, stop: -1}},
		{"resolved at now", h(0, O, 1000, R), want{resolution: 1000, closure: -1, stop: -1}},
		{"cancelled is neither", h(0, O, 200, X), want{resolution: -1, closure: -1, stop: -1}},
		{"cancelled, then reopened", h(0, O, 150, R, 200, X, 300, O), want{open: true, resolution: -1, closure: -1, stop: 1, reopened: true}},
		{"closed, resolved, closed: closed at the first", h(0, O, 150, C, 200, R, 300, C), want{resolution: 150, closure: 150, stop: 1}},
		{"stop before the window is not in it", h(0, O, 50, R, 300, C), want{resolution: 50, closure: 300, stop: -1}},
		{"second stop in the window", h(0, O, 50, R, 60, O, 400, R), want{resolution: 400, closure: -1, stop: 3, reopened: true}},
		{"resolved from the start", h(0, R), want{resolution: 0, closure: -1, stop: -1}},
		{"stop at the window's end is outside", h(0, O, 500, R), want{resolution: 500, closure: -1, stop: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := store(t, tk("t", 0, tt.hist)).View(0)
			n := seen(v, now)
			got := want{open: open(v, n), resolution: -1, closure: -1, stop: firstStop(v, n, t0+100, t0+500), reopened: everReopened(v, n)}
			if at, _, ok := resolution(v, n); ok {
				got.resolution = at - t0
			}
			if at, ok := closure(v, n); ok {
				got.closure = at - t0
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
