package events

// Counts sums the events of a window. Good and Bad are never negative and Good+Bad == Total
// holds exactly.
type Counts struct {
	Good, Bad, Total float64
}

// Ratio returns Good/Total; ok is false when there were no events.
func (c Counts) Ratio() (ratio float64, ok bool) {
	if c.Total == 0 {
		return 0, false
	}
	return c.Good / c.Total, true
}
