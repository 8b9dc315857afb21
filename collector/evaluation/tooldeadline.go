package evaluation

import (
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// deadlineTolerance is how far apart, in working time, two deadlines may be and still agree:
// tools keep minutes, and RT reports a deadline at the close of a working day as the next day's
// opening, the same working instant.
const deadlineTolerance = 60

// toolDeadline compares an open cycle's deadline with the one the ticket tool keeps in field
// (RFC 3339). ok is false when the cycle is not open or the tool has no deadline for it.
func toolDeadline(v ticket.View, c *ticket.Cycle, field string, cal *calendar.Calendar) (tool time.Time, agrees, ok bool) {
	if c.Stop != 0 || (c.State != ticket.InProgress && c.State != ticket.PausedState && c.State != ticket.Breached) {
		return time.Time{}, false, false
	}
	raw, has := v.Field(field)
	if !has {
		return time.Time{}, false, false
	}
	tool, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return time.Time{}, false, false
	}
	ours, theirs := c.Deadline, tool.Unix()
	if ours == 0 || ours == calendar.Never {
		return tool, false, true
	}
	a, b := min(ours, theirs), max(ours, theirs)
	return tool, cal.DurationUnix(a, b) < deadlineTolerance, true
}

// toolDeadlines counts the objective's open cycles whose deadline the ticket tool agrees or
// disagrees with, so that a manager knows when the two numbers differ and which tickets to read.
func toolDeadlines(o *config.Objective, st *ticket.Store, now time.Time) *collector.ToolDeadlines {
	out := &collector.ToolDeadlines{Field: o.ToolDeadlineField}
	m := o.Select.Compile(st)
	cal := o.Clock.Calendar()
	var buf []ticket.Cycle
	for i := range st.Len() {
		v := st.View(i)
		// Most tickets of a busy store are closed and carry no deadline of the tool's: skip them
		// before computing their cycles, which is the cost here.
		if _, has := v.Field(o.ToolDeadlineField); !has || !m.Match(v) {
			continue
		}
		buf = o.Clock.Cycles(st, i, now.Unix(), buf[:0])
		for j := range buf {
			if _, agrees, ok := toolDeadline(v, &buf[j], o.ToolDeadlineField, cal); ok && agrees {
				out.Agree++
			} else if ok {
				out.Disagree++
			}
		}
	}
	return out
}
