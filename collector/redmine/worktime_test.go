package redmine

import (
	"encoding/json"
	"testing"
	"time"
)

// TestWorkTime maps spent_hours, the hours logged on the issue itself: the real Redmine's answer
// for issue 3 of the recorded scenario has "spent_hours": 0.0 (none); 38 minutes logged read
// 0.6333333333333333 hours, which round back to 2280 s; total_spent_hours (with subtasks) is not
// read; absent (a user who may not view time entries) is none; a negative value is refused.
func TestWorkTime(t *testing.T) {
	is, statuses := recordedIssue(t, 3)
	p, err := decodeBlock(t, "url: https://r.example.com\nprojects: [support]\n")
	if err != nil {
		t.Fatal(err)
	}
	if is.SpentHours == nil || *is.SpentHours != 0 {
		t.Fatalf("recorded issue 3: spent_hours %v, want 0.0", is.SpentHours)
	}
	if tk, rj := p.mapIssue(&is, statuses); rj != nil || tk.WorkTime != 0 {
		t.Errorf("recorded issue 3: %v, WorkTime %s; want none", rj, tk.WorkTime)
	}
	for _, tc := range []struct {
		name, extra string
		want        time.Duration
		reject      string
	}{
		{"38 minutes", `,"spent_hours":0.6333333333333333,"total_spent_hours":1.5`, 38 * time.Minute, ""},
		{"a day and a half", `,"spent_hours":36.0`, 36 * time.Hour, ""},
		{"not allowed to view time entries", ``, 0, ""},
		{"negative", `,"spent_hours":-1.0`, 0, "spent_hours -1 is not a number of hours, 0 or more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is, rj := decodeIssue(json.RawMessage(issueJSON("", tc.extra)))
			if rj != nil {
				t.Fatal(rj.reason)
			}
			tk, rj := p.mapIssue(&is, statusSet{1: {1, "New", false}})
			switch {
			case tc.reject != "":
				if rj == nil || rj.reason != tc.reject {
					t.Errorf("rejection %v, want %q", rj, tc.reject)
				}
			case rj != nil:
				t.Errorf("rejected: %s", rj.reason)
			case tk.WorkTime != tc.want:
				t.Errorf("WorkTime %s, want %s", tk.WorkTime, tc.want)
			}
		})
	}
}
