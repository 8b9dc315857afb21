package availability

import "strconv"

// State is what a probe saw, or what an outage record says.
type State uint8

const (
	// Unknown means no data: the time it covers counts as missing, like time no sample covers.
	Unknown State = iota
	// Up means the service worked.
	Up
	// Down means the service failed.
	Down
	// Degraded means the service worked badly; Config.DegradedWeight says how much of it counts
	// as up.
	Degraded
)

// String returns the lowercase name of s.
func (s State) String() string {
	switch s {
	case Unknown:
		return "unknown"
	case Up:
		return "up"
	case Down:
		return "down"
	case Degraded:
		return "degraded"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

func (s State) valid() bool { return s <= Degraded }
