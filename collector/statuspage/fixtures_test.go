package statuspage

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// TestFixtures syncs the documented response shapes of testdata/ (see its README), served as a
// page serves them, at 06:00 -05:00 (11:00 UTC).
func TestFixtures(t *testing.T) {
	srv := httptest.NewServer(http.StripPrefix("/api/v2/", http.FileServer(http.Dir("testdata"))))
	t.Cleanup(srv.Close)
	utc := func(h, m, s int) time.Time { return time.Date(2026, 3, 2, h, m, s, 0, time.UTC) }
	now := utc(11, 0, 0)
	sync := func(extra string) []collector.UptimeSeries {
		t.Helper()
		clk := apitest.NewClock(now)
		src, err := newSource(apitest.Node(t, "url: "+srv.URL+"\n"+extra), collector.Options{Name: "example", Now: clk.Now}, clk.Hooks())
		if err != nil {
			t.Fatal(err)
		}
		b, err := src.Sync(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return b.Uptime
	}
	const (
		down = availability.Down
		deg  = availability.Degraded
	)
	cover := func(u collector.UptimeSeries) collector.UptimeSeries {
		u.CoveredFrom, u.CoveredTo = now, now
		return u
	}
	want := []collector.UptimeSeries{
		// Started 04:12 -05:00 (09:12 UTC), the first update (04:14:02.123) backdated to it:
		// degraded 13 min, major 15 min from 09:25, partial 7.5 min from 09:40 to the
		// resolution at 09:47:30.
		cover(collector.UptimeSeries{Series: "API Requests", Outages: []availability.Outage{
			{Start: utc(9, 12, 0), End: utc(9, 25, 0), State: deg},
			{Start: utc(9, 25, 0), End: utc(9, 40, 0), State: down},
			{Start: utc(9, 40, 0), End: utc(9, 47, 30), State: deg}}}),
		// Maintenance announced 23:00-01:00 -05:00, completed at 23:40: 04:00-04:40 UTC.
		cover(collector.UptimeSeries{Series: "Webhooks", Maintenance: []availability.Window{{Start: utc(4, 0, 0), End: utc(4, 40, 0)}}}),
		// Open since 05:40 -05:00 (10:40 UTC): partial to now; the component's own status says
		// the same, so it adds nothing.
		cover(collector.UptimeSeries{Series: "Hosted runners", Outages: []availability.Outage{{Start: utc(10, 40, 0), End: now, State: deg}}}),
		cover(collector.UptimeSeries{Series: "Self-hosted runners"}),
	}
	if diff := cmp.Diff(want, sync("")); diff != "" {
		t.Errorf("every component (-want +got):\n%s", diff)
	}
	// The group is the worst of its runners; Webhooks' maintenance is not the group's.
	wantGroup := []collector.UptimeSeries{cover(collector.UptimeSeries{Series: "Actions", Outages: []availability.Outage{{Start: utc(10, 40, 0), End: now, State: deg}}})}
	if diff := cmp.Diff(wantGroup, sync("components: [Actions]\n")); diff != "" {
		t.Errorf("the group (-want +got):\n%s", diff)
	}
}
