package evaluation

import (
	"fmt"
	"math"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// handleTimeSource is where the group's handle time comes from.
func handleTimeSource(g *config.StaffingGroup) string {
	if g.HandleTimeMeasured {
		return collector.HandleTimeMeasured
	}
	return collector.HandleTimeConfigured
}

// handleTime sets the handle time a staffing group is planned with: the configured one, or
// with handle_time: measured the mean work time of the group's tickets of the weeks averaged
// [r.From, r.To). It returns a reason, and the group then publishes no figures, when fewer than
// the group's min_measured of those tickets carry a work time: a plan from a handful of logged
// tickets, or from none read as zero work, would be a number without ground.
func handleTime(r *collector.StaffingResult, g *config.StaffingGroup, o *config.Objective, scan groupScan) string {
	r.HandleTimeSource = handleTimeSource(g)
	if !g.HandleTimeMeasured {
		r.HandleTime, r.HandleTimeTickets = g.HandleTime, 0
		return ""
	}
	mean, n := scan.meanWorkTime()
	if n < g.MinMeasured {
		r.HandleTime, r.HandleTimeTickets = 0, 0
		return fmt.Sprintf("handle_time is measured and %d of the group's tickets from %s to %s in source %q have a work time recorded; at least %d are needed (min_measured)",
			n, r.From.Format(time.DateOnly), r.To.Format(time.DateOnly), o.Source, g.MinMeasured)
	}
	r.HandleTime, r.HandleTimeTickets = mean, n
	return ""
}

// meanWorkTime is the mean work time of the group's tickets resolved or closed with a work time,
// rounded to the second, and how many those are. Tickets without one are left out, not counted
// as no work: a tool shows no time logged as 0 or null alike; so are tickets still open, whose
// work so far is only part of their handle time.
func (g groupScan) meanWorkTime() (time.Duration, int) {
	if g.worked == 0 {
		return 0, 0
	}
	// To the second, as the work times are kept: a plan needs no finer handle time.
	return time.Duration(math.Round(float64(g.workSeconds)/float64(g.worked))) * time.Second, int(g.worked)
}

// done reports whether a ticket's last status is resolved or closed: its work is all logged.
func done(v ticket.View) bool {
	n := v.HistoryLen()
	if n == 0 {
		return false
	}
	_, c := v.History(n - 1)
	return c == ticket.Resolved || c == ticket.Closed
}
