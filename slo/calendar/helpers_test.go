package calendar

import (
	"testing"
	"time"
)

const (
	minute = 60
	hour   = 3600
)

func loadZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

// at reads an instant written with its UTC offset, so every expected instant in the tests says
// which side of a DST change it is on.
func at(t testing.TB, rfc3339 string) int64 {
	t.Helper()
	u, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		t.Fatalf("bad instant in test: %v", err)
	}
	return u.Unix()
}

func mustNew(t testing.TB, s Spec) *Calendar {
	t.Helper()
	c, err := New(s)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func everyDay(ivs ...Interval) [7][]Interval {
	var w [7][]Interval
	for d := range w {
		w[d] = ivs
	}
	return w
}

func mondayToFriday(ivs ...Interval) [7][]Interval {
	var w [7][]Interval
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = ivs
	}
	return w
}

// show formats a Unix second in a zone for failure messages.
func show(u int64, loc *time.Location) string {
	if u == Never {
		return "Never"
	}
	return time.Unix(u, 0).In(loc).Format(time.RFC3339)
}
