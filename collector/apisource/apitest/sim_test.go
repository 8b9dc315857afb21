package apitest

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type fault struct {
	Endpoint     string
	After, Times int
	Status       int
}

func (f fault) Scope() (string, int, int) { return f.Endpoint, f.After, f.Times }

func TestPlumbing_AfterTimesAndEndpoints(t *testing.T) {
	var p Plumbing[fault]
	p.Inject(fault{Endpoint: "list", After: 1, Times: 2, Status: 503})
	p.Inject(fault{Status: 500, After: 4})
	var got []int
	for _, ep := range []string{"list", "list", "list", "list", "other", "list", "other"} {
		status := 0
		if f := p.Hit(ep); f != nil {
			status = f.Status
		}
		got = append(got, status)
	}
	// The list fault lets the 1st list request through and hits the 2nd and 3rd, which the
	// any-endpoint fault so never sees. That one sees the 1st list request (its 1st), the 4th
	// (2nd), the 1st other (3rd), the 5th list (4th, still within After = 4) and hits the 2nd
	// other, its 5th.
	if diff := cmp.Diff([]int{0, 503, 503, 0, 0, 0, 500}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if p.Requests("list") != 5 || p.Requests("other") != 2 {
		t.Errorf("counts list=%d other=%d, want 5 and 2", p.Requests("list"), p.Requests("other"))
	}
	p.ResetCounts()
	p.Clear()
	if f := p.Hit("list"); f != nil || p.Requests("list") != 1 || p.Requests("other") != 0 {
		t.Errorf("after Clear and ResetCounts: fault %v, list=%d other=%d; want none, 1, 0", f, p.Requests("list"), p.Requests("other"))
	}
}

func TestHold_StopsWhenTheClientGivesUp(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r := httptest.NewRequest("GET", "/", nil).WithContext(ctx)
	if Hold(r, time.Hour) {
		t.Error("Hold answered a request whose client had gone")
	}
	if !Hold(r, 0) {
		t.Error("Hold with no delay did not answer")
	}
}
