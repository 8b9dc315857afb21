package gitlab

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/gitlab/gitlabsim"
)

// TestWorkTime maps time_stats.total_time_spent, the time spent logged on an issue in seconds:
// 2280 s is 38m (the estimate is not read); 0 and no time_stats are none; a negative value
// rejects the issue. The fixture is a page of list-project-issues as GitLab's issues API
// documents it.
func TestWorkTime(t *testing.T) {
	raw, err := os.ReadFile("testdata/worktime_issues.json")
	if err != nil {
		t.Fatal(err)
	}
	var issues []issue
	if err := json.Unmarshal(raw, &issues); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	s, err := compile(e.node(t, mappingConfig), collector.Options{Name: "gl", Dir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		work     time.Duration
		rejected bool
	}{{38 * time.Minute, false}, {0, false}, {0, false}, {0, true}}
	if len(issues) != len(want) {
		t.Fatalf("%d issues in the fixture", len(issues))
	}
	for i, w := range want {
		tk, rj := s.mapTicket(&issues[i], details{})
		switch {
		case w.rejected != (rj != nil):
			t.Errorf("#%d: rejection %v, want rejected %v", issues[i].IID, rj, w.rejected)
		case !w.rejected && tk.WorkTime != w.work:
			t.Errorf("#%d: WorkTime %s, want %s", issues[i].IID, tk.WorkTime, w.work)
		}
	}
}

// TestWorkTimeSync reads the time spent through the simulator's issue list.
func TestWorkTimeSync(t *testing.T) {
	e := newEnv(t)
	e.sim.Add(gitlabsim.Issue{IID: 7, Author: alice, Created: at(0), Updated: at(30), State: "opened", TimeSpent: 95 * time.Minute},
		gitlabsim.Issue{IID: 8, Author: alice, Created: at(5), Updated: at(30), State: "opened"})
	b, err := e.source(t, mappingConfig).Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]time.Duration{}
	for _, tk := range b.Tickets {
		got[tk.ID] = tk.WorkTime
	}
	if got["acme/support#7"] != 95*time.Minute || got["acme/support#8"] != 0 || len(got) != 2 {
		t.Errorf("work times %v: want #7 1h35m, #8 none", got)
	}
}
