package collector

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"time"

	"github.com/sla-exporter/sla_exporter/slo"
)

// A published snapshot is kept in the store so that a restart serves the last figures at once,
// before its first evaluation (evaluation.Evaluator.Restore). gob keeps every float as it is
// (NaN among them, which JSON cannot carry) and every field by name; what gob cannot carry, a
// time.Location, is kept by name in a mirror of the two structs that hold one.

// persistVersion is the version of the persisted form; another version is not read.
const persistVersion = 1

type persistedSnapshot struct {
	Version int
	// ConfigHash is the configuration the snapshot was evaluated under.
	ConfigHash string
	At         time.Time
	Duration   time.Duration
	Location   string
	Objectives []persistedObjective
	KPIs       []KPIResult
	Contracts  []ContractResult
	Sources    []SourceHealth
	Store      StoreHealth
	Stamped    bool
	Staffing   []StaffingResult
	Costs      []CostResult
}

type persistedObjective struct {
	Result          slo.Result
	PeriodName      string
	Labels          map[string]string
	History         []FrozenPeriod
	Stale           bool
	Location        string
	ToolDeadlines   *ToolDeadlines
	Native          *NativeComparison
	ToolAttainments []ToolAttainment
	// UnpublishedPeriods keeps the series budget of the configuration it was published under.
	UnpublishedPeriods int
	Escalation         []EscalationCount
}

// EncodeSnapshot is the persisted form of s, evaluated under the configuration of hash
// configHash. DataGen and Restored are not kept: they belong to the process that published it.
func EncodeSnapshot(s *Snapshot, configHash string) ([]byte, error) {
	p := persistedSnapshot{Version: persistVersion, ConfigHash: configHash, At: s.At, Duration: s.Duration,
		Location: locationName(s.Location), KPIs: s.KPIs, Contracts: s.Contracts, Sources: s.Sources, Store: s.Store, Stamped: s.Stamped,
		Costs: s.Costs, Staffing: s.Staffing}
	for i := range s.Objectives {
		o := &s.Objectives[i]
		p.Objectives = append(p.Objectives, persistedObjective{Result: o.Result, PeriodName: o.PeriodName,
			Labels: o.Labels, History: o.History, Stale: o.Stale, Location: locationName(o.Location),
			ToolDeadlines: o.ToolDeadlines, Native: o.Native, ToolAttainments: o.ToolAttainments,
			UnpublishedPeriods: o.UnpublishedPeriods, Escalation: o.Escalation})
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&p); err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// DecodeSnapshot reads a snapshot EncodeSnapshot wrote, marked Restored, and the configuration
// hash it was evaluated under. A snapshot of another version, or naming a timezone this host
// does not know, is an error: it is not served.
func DecodeSnapshot(b []byte) (*Snapshot, string, error) {
	var p persistedSnapshot
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&p); err != nil {
		return nil, "", fmt.Errorf("decode snapshot: %w", err)
	}
	if p.Version != persistVersion {
		return nil, "", fmt.Errorf("snapshot version %d, this build reads %d", p.Version, persistVersion)
	}
	s := &Snapshot{At: p.At, Duration: p.Duration, KPIs: p.KPIs, Contracts: p.Contracts, Sources: p.Sources,
		Store: p.Store, Stamped: p.Stamped, Costs: p.Costs, Restored: true, Staffing: p.Staffing}
	var err error
	if s.Location, err = loadLocation(p.Location); err != nil {
		return nil, "", err
	}
	for _, o := range p.Objectives {
		r := ObjectiveResult{Result: o.Result, PeriodName: o.PeriodName, Labels: o.Labels, History: o.History,
			Stale: o.Stale, ToolDeadlines: o.ToolDeadlines, Native: o.Native, ToolAttainments: o.ToolAttainments,
			UnpublishedPeriods: o.UnpublishedPeriods, Escalation: o.Escalation}
		if r.Location, err = loadLocation(o.Location); err != nil {
			return nil, "", fmt.Errorf("objective %q: %w", o.Result.Objective, err)
		}
		s.Objectives = append(s.Objectives, r)
	}
	return s, p.ConfigHash, nil
}

// locationName is "" for nil (UTC by the snapshot's convention).
func locationName(l *time.Location) string {
	if l == nil {
		return ""
	}
	return l.String()
}

func loadLocation(name string) (*time.Location, error) {
	if name == "" {
		return nil, nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("snapshot timezone: %w", err)
	}
	return l, nil
}
