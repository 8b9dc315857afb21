package file

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestWorkTimeColumn maps columns.work_time: a Go or Prometheus duration (38m, 1.5h, 1d) or
// seconds (2280; 2280.4 rounds to 2280); empty and 0 are none; a negative or unreadable value
// rejects its row, naming the column.
func TestWorkTimeColumn(t *testing.T) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	src := newSource(t, dir, `file:
  path: work_time.csv
  time: {layout: "2006-01-02 15:04", timezone: UTC}
  statuses: {open: [Open]}
  columns: {id: id, created: opened, status: state, work_time: time_worked}
`)
	b := syncOK(t, src, nil)
	got := map[string]time.Duration{}
	for _, tk := range b.Tickets {
		got[tk.ID] = tk.WorkTime
	}
	want := map[string]time.Duration{"W1": 38 * time.Minute, "W2": 38 * time.Minute, "W3": 90 * time.Minute, "W4": 24 * time.Hour,
		"W5": 0, "W6": 0, "W9": 38 * time.Minute}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("work times (-want +got):\n%s", diff)
	}
	var reasons []string
	for _, r := range b.Rejected {
		reasons = append(reasons, r.Where+": "+r.Reason)
	}
	if len(reasons) != 2 || !strings.Contains(reasons[0], `work_time`) || !strings.Contains(reasons[0], `"-5m"`) || !strings.Contains(reasons[1], `"soon"`) {
		t.Errorf("rejections %q: want W7's and W8's work_time", reasons)
	}
}

func TestParseWorkTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"38m", 38 * time.Minute, false}, {"1h35m", 95 * time.Minute, false}, {"1.5h", 90 * time.Minute, false},
		{"2d", 48 * time.Hour, false}, {"2280", 38 * time.Minute, false}, {"0.5", time.Second, false}, {"0", 0, false},
		{"-1", 0, true}, {"-5m", 0, true}, {"NaN", 0, true}, {"1e30", 0, true}, {"200y", 0, true}, {"38 min", 0, true},
	} {
		got, err := parseWorkTime(tc.in)
		if got != tc.want || (err != nil) != tc.bad {
			t.Errorf("parseWorkTime(%q) = %s, %v; want %s, error %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

// FuzzParseWorkTime: any cell gives a work time between 0 and a century, or an error quoting it.
func FuzzParseWorkTime(f *testing.F) {
	for _, s := range []string{"38m", "2280", "1.5h", "2d", "-5m", "1e30", "NaN", "", "0.5", "1h-30m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseWorkTime(s)
		if err == nil && (d < 0 || d > maxWorkTime) {
			t.Fatalf("parseWorkTime(%q) = %s", s, d)
		}
		if err != nil && d != 0 {
			t.Fatalf("parseWorkTime(%q) = %s with error %v", s, d, err)
		}
	})
}
