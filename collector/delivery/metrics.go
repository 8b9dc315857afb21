package delivery

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// The metrics are the scheduler's own rather than the exposition's: they change when a delivery
// does, not with each evaluation, and exist only when reports are configured.
var (
	deliveriesDesc = prometheus.NewDesc(c.ReportDeliveries,
		"Attempts to deliver a scheduled report, by outcome: success, or failure (retried with backoff until the last attempt).",
		[]string{c.LabelReport, c.LabelOutcome}, nil)
	lastDeliveryDesc = prometheus.NewDesc(c.ReportLastDelivery,
		"When the last attempt to deliver the report ended, successful or not.",
		[]string{c.LabelReport}, nil)
	lastSuccessfulDesc = prometheus.NewDesc(c.ReportLastDeliverySuccessful,
		"Whether the last attempt to deliver the report succeeded (1) or failed (0).",
		[]string{c.LabelReport}, nil)
)

// reportMetrics are one report's figures. The counters start at zero with each run; the last
// attempt is persisted, so that it survives a restart.
type reportMetrics struct {
	success, failure float64
	known            bool
	last             time.Time
	ok               bool
}

// count records an attempt's outcome.
func (s *Scheduler) count(report string, at time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.metrics[report]
	if ok {
		m.success++
	} else {
		m.failure++
	}
	m.known, m.last, m.ok = true, at, ok
}

// Describe implements prometheus.Collector.
func (s *Scheduler) Describe(ch chan<- *prometheus.Desc) {
	ch <- deliveriesDesc
	ch <- lastDeliveryDesc
	ch <- lastSuccessfulDesc
}

// Collect implements prometheus.Collector: the series of the configured reports. Both outcomes
// are published from the start, so that an increase from nothing shows in rate().
func (s *Scheduler) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sp := range s.specs {
		m := s.metrics[sp.Name]
		ch <- prometheus.MustNewConstMetric(deliveriesDesc, prometheus.CounterValue, m.success, sp.Name, c.OutcomeSuccess)
		ch <- prometheus.MustNewConstMetric(deliveriesDesc, prometheus.CounterValue, m.failure, sp.Name, c.OutcomeFailure)
		if !m.known {
			continue
		}
		ch <- prometheus.MustNewConstMetric(lastDeliveryDesc, prometheus.GaugeValue, float64(m.last.UnixNano())/1e9, sp.Name)
		ok := 0.0
		if m.ok {
			ok = 1
		}
		ch <- prometheus.MustNewConstMetric(lastSuccessfulDesc, prometheus.GaugeValue, ok, sp.Name)
	}
}
