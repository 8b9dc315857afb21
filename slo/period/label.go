package period

import (
	"fmt"
	"time"
)

// Label names the period holding start: "2026-W43" (ISO 8601 week and week-year), "2026-10",
// "2026-Q3", "2026", or "rolling_30d" for a Rolling period, whose windows have no name of their
// own. Label panics if p fails Validate.
func (p Period) Label(start time.Time) string {
	p.mustValidate()
	if p.Kind == Rolling {
		return fmt.Sprintf("rolling_%dd", p.Days)
	}
	// The middle of the period sits well inside it whatever DST does at the edges, and for a
	// week it is the Thursday, the day that decides the ISO week-year.
	s, e := p.Bounds(start)
	mid := s.Add(e.Sub(s) / 2).In(p.location())
	switch p.Kind {
	case Week:
		y, w := mid.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case Month:
		return fmt.Sprintf("%04d-%02d", mid.Year(), int(mid.Month()))
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", mid.Year(), (int(mid.Month())-1)/3+1)
	default:
		return fmt.Sprintf("%04d", mid.Year())
	}
}
