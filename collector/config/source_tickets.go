package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sla-exporter/sla_exporter/collector"
)

// sourceTickets checks a source's priorities and health: settings that apply to every kind, so
// that no kind has to map priorities or judge its own batches.
func (b *builder) sourceTickets(s *Source, rs rawSource, at []any) error {
	if rs.PriorityNames != nil {
		s.PriorityAliases = map[string]string{}
		owner := map[string]string{}
		for _, canon := range rs.Priorities {
			names := append([]string{canon}, rs.PriorityNames[canon]...)
			for _, n := range names {
				k := strings.ToLower(strings.TrimSpace(n))
				if k == "" {
					return b.fail(fmt.Errorf("%s: an empty name", canon), append(at, "priorities", canon)...)
				}
				if prev, ok := owner[k]; ok && prev != canon {
					return b.fail(fmt.Errorf("%q is listed under both %s and %s", n, prev, canon), append(at, "priorities", canon)...)
				}
				owner[k] = canon
				s.PriorityAliases[k] = canon
			}
		}
	}
	s.Health = collector.HealthPolicy{MinVolumeRatio: collector.DefaultMinVolumeRatio}
	for _, r := range []struct {
		key string
		v   *float64
		dst *float64
	}{
		{"max_rejected_ratio", rs.Health.MaxRejectedRatio, &s.Health.MaxRejectedRatio},
		{"min_volume_ratio", rs.Health.MinVolumeRatio, &s.Health.MinVolumeRatio},
	} {
		if r.v == nil {
			continue
		}
		if *r.v < 0 || *r.v > 1 {
			return b.fail(errors.New(ratioHint(*r.v)), append(at, "health", r.key)...)
		}
		*r.dst = *r.v
	}
	return nil
}

// ratioHint explains a ratio out of [0, 1], with the number as a percentage would be written.
func ratioHint(v float64) string {
	if v > 1 && v <= 100 {
		return fmt.Sprintf("%g is not a ratio in [0, 1] (write %g for %g%%)", v, v/100, v)
	}
	return fmt.Sprintf("%g is not a ratio in [0, 1]", v)
}
