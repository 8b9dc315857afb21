package period

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the zoneinfo of the machine running them

	"github.com/google/go-cmp/cmp"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// sameLocation compares zones by name: *time.Location has unexported fields cmp cannot read, and
// a nil Location means UTC exactly as time.UTC does.
var sameLocation = cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}
