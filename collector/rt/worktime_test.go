package rt

import (
	"encoding/json"
	"testing"
	"time"
)

// TestTimeWorked reads TimeWorked, whole minutes: the real RT of TestRealRT writes it as a string
// ("38" for ticket 1, whose two replies took 20 and 18 minutes, "0" for the others; the replay
// tests check those from testdata/recorded/sync.json); a number is read alike; empty or null is
// none; anything but a whole number of minutes, 0 or more, rejects the ticket.
func TestTimeWorked(t *testing.T) {
	for _, tc := range []struct {
		json string
		want time.Duration
		bad  bool
	}{
		{`"38"`, 38 * time.Minute, false},
		{`38`, 38 * time.Minute, false},
		{`"0"`, 0, false},
		{`""`, 0, false},
		{`null`, 0, false},
		{`"1.5"`, 0, true},
		{`"-5"`, 0, true},
		{`"90 min"`, 0, true},
	} {
		var v text
		if err := json.Unmarshal([]byte(tc.json), &v); err != nil {
			t.Fatalf("%s: %v", tc.json, err)
		}
		got, rj := timeWorked(v)
		if got != tc.want || (rj != nil) != tc.bad {
			t.Errorf("TimeWorked %s: %s, rejection %v; want %s, rejected %v", tc.json, got, rj, tc.want, tc.bad)
		}
	}
}
