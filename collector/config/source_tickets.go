package config

import (
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
		v   *ratio
		dst *float64
	}{
		{"max_rejected_ratio", rs.Health.MaxRejectedRatio, &s.Health.MaxRejectedRatio},
		{"min_volume_ratio", rs.Health.MinVolumeRatio, &s.Health.MinVolumeRatio},
	} {
		if r.v == nil {
			continue
		}
		if *r.v < 0 {
			return b.fail(fmt.Errorf("%g is not a ratio between 0 and 1", *r.v), append(at, "health", r.key)...)
		}
		*r.dst = float64(*r.v)
	}
	return nil
}
