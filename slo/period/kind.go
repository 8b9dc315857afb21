package period

import "strconv"

// Kind is the shape of a compliance period.
type Kind int

// The zero Kind is deliberately invalid so that a forgotten field is caught by Validate instead
// of silently meaning "week".
const (
	// Week is an ISO 8601 week: Monday 00:00 to the next Monday 00:00, local time.
	Week Kind = iota + 1
	// Month is a calendar month, local time.
	Month
	// Quarter is a calendar quarter (January, April, July, October), local time.
	Quarter
	// Year is a calendar year, local time.
	Year
	// Rolling is the last N×24h before the evaluation instant.
	Rolling
)

// String returns the keyword Parse accepts for k ("rolling" for Rolling, which Parse wants
// with a length such as "rolling:30d").
func (k Kind) String() string {
	switch k {
	case Week:
		return "week"
	case Month:
		return "month"
	case Quarter:
		return "quarter"
	case Year:
		return "year"
	case Rolling:
		return "rolling"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}
