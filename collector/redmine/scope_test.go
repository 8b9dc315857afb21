package redmine

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

// clockedSource builds a source from a `redmine:` block whose clock reads *now.
func clockedSource(t *testing.T, block string, now *time.Time) *Source {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(block), &n); err != nil {
		t.Fatal(err)
	}
	s, err := newSource(&n, collector.Options{Name: "redmine", Now: func() time.Time { return *now }}, noWait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestSyncReconcile: an issue deleted and one moved to another project leave no trace in the
// listing of updates; after reconcile_interval (24h by default) the ids of the project's issues
// are listed, and the batch says which are left, so that the runner drops the two.
func TestSyncReconcile(t *testing.T) {
	f, srv := newFake(t)
	f.add(1, 5, base, time.Minute)
	now := wed(12, 0)
	s := clockedSource(t, fakeConfig(srv.URL, 2, ""), &now)
	b := syncOK(t, s, nil)
	if diff := cmp.Diff(idRange(1, 5), ids(b)); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}
	f.counts()

	f.mu.Lock()
	delete(f.issues, 2)
	f.issues[3].project = "internal"
	f.issues[3].updated = now.Add(-time.Minute)
	f.mu.Unlock()

	now = now.Add(time.Hour) // before the interval: the listing alone, which shows nothing
	b2 := syncOK(t, s, b.Checkpoint)
	if b2.Reconciled || len(b2.Tickets) != 0 || len(b2.Deleted) != 0 {
		t.Errorf("sync after 1h: reconciled %v, %d tickets, deleted %v; want nothing", b2.Reconciled, len(b2.Tickets), b2.Deleted)
	}
	wantCounts(t, f, "sync after 1h", 1, 1, 0)

	now = now.Add(24 * time.Hour)
	b3 := syncOK(t, s, b2.Checkpoint)
	if !b3.Reconciled {
		t.Error("sync after 25h: not reconciled")
	}
	if diff := cmp.Diff([]string{"1", "4", "5"}, b3.Present); diff != "" {
		t.Errorf("present (-want +got):\n%s", diff)
	}
	// The ids by id in pages of 2 (1 4, then 5), then the listing of updates.
	wantCounts(t, f, "sync after 25h", 3, 3, 0)

	now = now.Add(time.Hour) // the next reconciliation is 24h after this one
	b4 := syncOK(t, s, b3.Checkpoint)
	if b4.Reconciled {
		t.Error("sync an hour after the reconciliation reconciled again")
	}
}

// TestSyncProjects reads two projects in pages of 2, their issues interleaved in time: each page
// is a page of each project, merged up to the earlier of their last updates (the cut), so that
// the tickets come in update order and none is skipped.
func TestSyncProjects(t *testing.T) {
	f, srv := newFake(t)
	// support: 1-4 at base+0, 2, 4, 6 min; infra: 5-8 at base+1, 3, 5, 7 min (each +0.5 s).
	for i := range 4 {
		f.add(1+i, 1, base.Add(time.Duration(2*i)*time.Minute), 0)
		f.add(5+i, 1, base.Add(time.Duration(2*i+1)*time.Minute), 0)
		f.issues[5+i].project = "infra"
	}
	s := newSourceT(t, "url: "+srv.URL+"\nprojects: [support, infra]\npage_size: 2\n")
	b := syncOK(t, s, nil)
	if diff := cmp.Diff([]string{"1", "5", "2", "6", "3", "7", "4", "8"}, ids(b)); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	// Page 1: support 1 2 (to 2m), infra 5 6 (to 3m): cut at 2m, 1 5 2. Page 2, from 2m:
	// support 2 3 (to 4m), infra 6 7 (to 5m): cut at 4m, 6 3. Page 3, from 4m: support 3 4,
	// infra 7 8, both whole: 7 4 8. 3 pages of 2 projects, the statuses, 8 issues.
	wantCounts(t, f, "first sync", 15, 6, 8)

	// Nothing changed: from 7m − 2m = 5m, support 4 and infra 7 8, known: a request a project.
	b2 := syncOK(t, s, b.Checkpoint)
	if len(b2.Tickets) != 0 {
		t.Errorf("unchanged: %d tickets", len(b2.Tickets))
	}
	wantCounts(t, f, "unchanged sync", 2, 2, 0)

	// An unknown project fails the sync, naming it.
	bad := newSourceT(t, "url: "+srv.URL+"\nprojects: [support, nosuch]\n")
	_, err := bad.Sync(t.Context(), nil)
	const want = `redmine source "redmine": project "nosuch": GET /issues.json: HTTP 404 Not Found (no such endpoint, or one the credentials may not see): ` +
		"no such project, or the credentials' user cannot see it: check projects"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant  %s", err, want)
	}
}

// TestSyncProjectsSameSecond: support has 3 issues in one second, more than its page of 2, and
// infra one later: support steps by offset within the second while infra is asked again, and
// every issue is read once.
func TestSyncProjectsSameSecond(t *testing.T) {
	f, srv := newFake(t)
	f.add(1, 3, base, time.Millisecond) // base+0.500 to base+0.502
	f.add(4, 1, base.Add(time.Minute), 0)
	f.issues[4].project = "infra"
	s := newSourceT(t, "url: "+srv.URL+"\nprojects: [support, infra]\npage_size: 2\n")
	b := syncOK(t, s, nil)
	if diff := cmp.Diff([]string{"1", "2", "3", "4"}, ids(b)); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	// Page 1: support 1 2 (at base, more), infra 4: cut at base, 1 2. Page 2, from base: the
	// same, nothing new, and the cut is not past since: support steps to offset 2, infra is
	// asked again. Page 3: support 3 (the end), infra 4: 3 4. 3 pages of 2 projects, the
	// statuses, 4 issues.
	wantCounts(t, f, "first sync", 11, 6, 4)
}
