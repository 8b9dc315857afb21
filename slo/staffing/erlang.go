package staffing

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ErlangB is the blocking probability of n servers offered a erlangs (Erlang's loss formula),
// by the recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)), which never forms a^n or n! and
// stays within [0, 1] at every step.
func ErlangB(n int, a float64) float64 {
	if a <= 0 {
		if n == 0 {
			return 1
		}
		return 0
	}
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// erlangCFromB is the probability of waiting of n agents offered a erlangs given B(n, a):
// C = n·B / (n − a·(1 − B)), for n > a.
func erlangCFromB(n int, a, b float64) float64 {
	if float64(n) <= a {
		return 1
	}
	return float64(n) * b / (float64(n) - a*(1-b))
}

// ErlangC is the probability that a ticket must wait for one of n agents offered a erlangs
// (traffic = arrivals per unit time × mean handle time in the same unit). With n ≤ a the queue
// grows without bound and every ticket waits: 1.
func ErlangC(n int, a float64) float64 {
	if a <= 0 {
		return 0
	}
	return erlangCFromB(n, a, ErlangB(n, a))
}

// serviceLevel is the share answered within target from C: 1 − C·e^(−(n−a)·target/aht).
func serviceLevel(n int, a, c float64, aht, target time.Duration) float64 {
	if float64(n) <= a {
		return 0
	}
	return 1 - c*math.Exp(-(float64(n)-a)*target.Seconds()/aht.Seconds())
}

// ServiceLevel is the share of tickets answered within target by n agents offered a erlangs of
// tickets with mean handle time aht. With n ≤ a the queue is unstable: 0.
func ServiceLevel(n int, a float64, aht, target time.Duration) float64 {
	if a <= 0 {
		return 1
	}
	return serviceLevel(n, a, ErlangC(n, a), aht, target)
}

// ASA is the mean wait before an answer (average speed of answer): C·aht / (n − a); with n ≤ a
// it is unbounded (+Inf).
func ASA(n int, a float64, aht time.Duration) float64 {
	if a <= 0 {
		return 0
	}
	if float64(n) <= a {
		return math.Inf(1)
	}
	return ErlangC(n, a) * aht.Seconds() / (float64(n) - a)
}

// Queue is the demand and promise of a queue answered in minutes, over one interval.
type Queue struct {
	// ArrivalsPerHour is the mean number of tickets arriving per hour.
	ArrivalsPerHour float64
	// HandleTime is the mean time an agent works a ticket.
	HandleTime time.Duration
	// Target is the wait within which a ticket counts as answered in time.
	Target time.Duration
	// Goal is the share of tickets to answer within Target, in (0, 1): the objective's target.
	Goal float64
	// MaxOccupancy caps the share of their time agents spend working tickets, in (0, 1]; 0
	// means 1 (no cap). Planning at 85% leaves room for the variance the averages hide.
	MaxOccupancy float64
	// Shrinkage is the share of scheduled time agents are not on the queue, in [0, 1).
	Shrinkage float64
}

// Staff is what a queue needs over one interval.
type Staff struct {
	// Traffic is the offered load in erlangs: arrivals per hour × handle time in hours.
	Traffic float64
	// Agents is the number of agents working the queue; Scheduled the number to schedule,
	// shrinkage included.
	Agents, Scheduled int
	// ServiceLevel, Occupancy and ASA (seconds) are what Agents give.
	ServiceLevel, Occupancy, ASA float64
}

// maxAgents bounds the search: a queue needing more agents than this is refused rather than
// searched for ever.
const maxAgents = 1_000_000

// Check reports what makes the queue unfit for the model.
func (q Queue) Check() error {
	switch {
	case !(q.ArrivalsPerHour >= 0) || math.IsInf(q.ArrivalsPerHour, 0):
		return fmt.Errorf("arrivals per hour %v: need a finite number, 0 or more", q.ArrivalsPerHour)
	case q.HandleTime <= 0:
		return fmt.Errorf("handle time %s: need more than 0", q.HandleTime)
	case q.Target < 0:
		return fmt.Errorf("target %s: need 0 or more", q.Target)
	case !(q.Goal > 0 && q.Goal < 1):
		return fmt.Errorf("goal %v: need a share between 0 and 1, both excluded (a goal of 1 needs infinitely many agents)", q.Goal)
	case !(q.MaxOccupancy >= 0 && q.MaxOccupancy <= 1):
		return fmt.Errorf("maximum occupancy %v: need a share in (0, 1], or 0 for none", q.MaxOccupancy)
	case !(q.Shrinkage >= 0 && q.Shrinkage < 1):
		return fmt.Errorf("shrinkage %v: need a share in [0, 1)", q.Shrinkage)
	}
	return nil
}

// Traffic is the queue's offered load in erlangs.
func (q Queue) Traffic() float64 { return q.ArrivalsPerHour * q.HandleTime.Hours() }

// ErrTooManyAgents is returned for a queue needing more than a million agents.
var ErrTooManyAgents = errors.New("more than a million agents needed")

// Agents returns the fewest agents whose service level reaches the goal and whose occupancy
// stays within the cap, and what they give. No arrivals need no one. The search walks n upwards
// from ⌈a⌉ carrying the Erlang B recursion along, so it costs O(n) whatever the answer.
func Agents(q Queue) (Staff, error) {
	if err := q.Check(); err != nil {
		return Staff{}, err
	}
	a := q.Traffic()
	s := Staff{Traffic: a, ServiceLevel: 1}
	if a == 0 {
		return s, nil
	}
	occ := q.MaxOccupancy
	if occ == 0 {
		occ = 1
	}
	b := 1.0
	for n := 1; n <= maxAgents; n++ {
		b = a * b / (float64(n) + a*b)
		if float64(n) <= a || a/float64(n) > occ {
			continue
		}
		c := erlangCFromB(n, a, b)
		sl := serviceLevel(n, a, c, q.HandleTime, q.Target)
		if sl < q.Goal {
			continue
		}
		s.Agents = n
		s.Scheduled = scheduled(float64(n), q.Shrinkage)
		s.ServiceLevel = sl
		s.Occupancy = a / float64(n)
		s.ASA = c * q.HandleTime.Seconds() / (float64(n) - a)
		return s, nil
	}
	return Staff{}, fmt.Errorf("%.0f erlangs: %w", a, ErrTooManyAgents)
}

// scheduled is the whole number of agents to schedule so that agents remain on the queue after
// shrinkage. A tiny tolerance keeps 10 / (1 − 0.2) at 12.5 → 13 and 8 / 0.8 at 10, not 11.
func scheduled(working, shrinkage float64) int {
	if working <= 0 {
		return 0
	}
	return int(math.Ceil(working/(1-shrinkage) - 1e-9))
}
