package kpi

import (
	"fmt"
	"strings"
)

// Kind is what a KPI measures. Its String is the name used in configuration and metrics.
type Kind uint8

// KPI kinds. The zero value is no kind, so a spec that forgot its kind fails validation.
const (
	// MTTA is the first response time, in seconds.
	MTTA Kind = iota + 1
	// MTTR is the resolution time, in seconds.
	MTTR
	// Backlog is the number of tickets open or paused at now.
	Backlog
	// BacklogAge is the age of the backlog's tickets at now, in seconds.
	BacklogAge
	// ReopenRate is the ratio of tickets stopped in the window that were reopened.
	ReopenRate
	// FCR is the first-contact resolution ratio.
	FCR
	// CSAT is the ratio of good ratings among rated resolved tickets.
	CSAT
	// ChangeSuccess is the ratio of successful changes among changes closed in the window.
	ChangeSuccess
	// Created is the number of tickets created in the window.
	Created
	// Resolved is the number of tickets resolved in the window.
	Resolved
)

var kindNames = [...]string{"", "mtta", "mttr", "backlog", "backlog_age", "reopen_rate", "fcr", "csat", "change_success", "created", "resolved"}

// String is the kind's configuration name.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// ParseKind reads a kind's configuration name.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames[1:] {
		if strings.EqualFold(s, n) {
			return Kind(i + 1), nil
		}
	}
	return 0, fmt.Errorf("unknown kpi kind %q (want %s)", s, strings.Join(kindNames[1:], ", "))
}

// Kinds returns every kind, in the order of the constants.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kindNames)-1)
	for k := MTTA; k.valid(); k++ {
		out = append(out, k)
	}
	return out
}

func (k Kind) valid() bool { return k > 0 && int(k) < len(kindNames) }

// duration reports whether the kind measures seconds, and so takes a Stat and a calendar.
func (k Kind) duration() bool { return k == MTTA || k == MTTR || k == BacklogAge }

// Unit is what the kind's values count: "seconds" (mtta, mttr, backlog_age), "ratio" (0-1) or
// "tickets" (backlog, created, resolved).
func (k Kind) Unit() string {
	switch {
	case k.duration():
		return "seconds"
	case k.ratio():
		return "ratio"
	}
	return "tickets"
}

// ratio reports whether the kind's value is a ratio in [0, 1].
func (k Kind) ratio() bool { return k == ReopenRate || k == FCR || k == CSAT || k == ChangeSuccess }

// Stat is how a duration KPI summarizes its samples.
type Stat uint8

// Stats. The zero value is no stat: duration KPIs must choose one.
const (
	// Mean is the arithmetic mean.
	Mean Stat = iota + 1
	// P50 is the nearest-rank median.
	P50
	// P90 is the nearest-rank 90th percentile.
	P90
	// Max is the largest sample.
	Max
)

var statNames = [...]string{"", "mean", "p50", "p90", "max"}

// String is the stat's configuration name.
func (s Stat) String() string {
	if s > 0 && int(s) < len(statNames) {
		return statNames[s]
	}
	return fmt.Sprintf("stat(%d)", s)
}

// ParseStat reads a stat's configuration name.
func ParseStat(s string) (Stat, error) {
	for i, n := range statNames[1:] {
		if strings.EqualFold(s, n) {
			return Stat(i + 1), nil
		}
	}
	return 0, fmt.Errorf("unknown stat %q (want mean, p50, p90 or max)", s)
}

func (s Stat) valid() bool { return s > 0 && int(s) < len(statNames) }

// percentile is the stat's rank in percent, or 0 when it is not a percentile.
func (s Stat) percentile() int {
	switch s {
	case P50:
		return 50
	case P90:
		return 90
	}
	return 0
}

// Direction says which way a KPI improves.
type Direction uint8

// Directions. The zero value is no direction, so a spec that forgot it fails validation rather
// than being rated the wrong way round.
const (
	// HigherIsBetter: the target is a floor (CSAT, FCR, change success).
	HigherIsBetter Direction = iota + 1
	// LowerIsBetter: the target is a ceiling (MTTA, MTTR, backlog, reopen rate).
	LowerIsBetter
)

var directionNames = [...]string{"", "higher_is_better", "lower_is_better"}

// String is the direction's configuration name.
func (d Direction) String() string {
	if d > 0 && int(d) < len(directionNames) {
		return directionNames[d]
	}
	return fmt.Sprintf("direction(%d)", d)
}

// ParseDirection reads a direction's configuration name.
func ParseDirection(s string) (Direction, error) {
	for i, n := range directionNames[1:] {
		if strings.EqualFold(s, n) {
			return Direction(i + 1), nil
		}
	}
	return 0, fmt.Errorf("unknown direction %q (want higher_is_better or lower_is_better)", s)
}
