package migrate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/OpenSLO/go-sdk/pkg/openslo"
	v1 "github.com/OpenSLO/go-sdk/pkg/openslo/v1"
	"github.com/OpenSLO/go-sdk/pkg/openslosdk"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
)

// promBlock is what the export reads of a prometheus source's block: its series. It is decoded
// leniently; the source itself checks the block when the configuration loads.
type promBlock struct {
	Availability []struct {
		Series      string `yaml:"series"`
		SeriesLabel string `yaml:"series_label"`
		Query       string `yaml:"query"`
	} `yaml:"availability"`
	Events []struct {
		Series      string `yaml:"series"`
		SeriesLabel string `yaml:"series_label"`
		Good        string `yaml:"good"`
		Bad         string `yaml:"bad"`
		Total       string `yaml:"total"`
		ErrorQuery  string `yaml:"error_query"`
		GoodQuery   string `yaml:"good_query"`
		TotalQuery  string `yaml:"total_query"`
		Latency     any    `yaml:"latency"`
	} `yaml:"events"`
}

// thresholdQuery matches an availability query the OpenSLO import wrote for a threshold metric.
var thresholdQuery = regexp.MustCompile(`(?s)^\((.*)\) (<|<=|>|>=) bool (\S+)$`)

var operatorOf = map[string]v1.Operator{"<": v1.OperatorLT, "<=": v1.OperatorLTE, ">": v1.OperatorGT, ">=": v1.OperatorGTE}

// dnsLabel is what OpenSLO takes as a name.
var dnsInvalid = regexp.MustCompile(`[^a-z0-9-]+`)

func dnsName(s string) string {
	n := strings.Trim(dnsInvalid.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(n) > 63 {
		n = strings.TrimRight(n[:63], "-")
	}
	return n
}

// ExportOpenSLO writes the configuration's availability and event-ratio objectives read from
// prometheus sources as OpenSLO v1 objects: a Service per service, an SLO with its indicator
// inline per objective. skipped lists the objectives OpenSLO cannot express (ticket SLAs, other
// sources), each with the reason. The objects pass go-sdk's validator, or the error says which
// does not.
func ExportOpenSLO(cfg *config.Config) (objects []openslo.Object, skipped []string, err error) {
	blocks := map[string]*promBlock{}
	for _, s := range cfg.Sources {
		if s.Type != "prometheus" || s.Block == nil {
			continue
		}
		var b promBlock
		if err := s.Block.Decode(&b); err != nil {
			return nil, nil, fmt.Errorf("source %q: %w", s.Name, err)
		}
		blocks[s.Name] = &b
	}
	services := map[string]bool{}
	for i, o := range cfg.Objectives {
		at := fmt.Sprintf("%s:%d: objective %q", cfg.File, cfg.Line("objectives", i), o.Name)
		skip := func(why string) { skipped = append(skipped, at+": "+why) }
		if o.Kind == slo.TicketSLA {
			skip("a ticket SLA: OpenSLO has no ticket clocks")
			continue
		}
		b := blocks[o.Source]
		if b == nil {
			skip("its source is not a prometheus source: OpenSLO needs the query")
			continue
		}
		var ind v1.SLISpec
		budgeting := v1.SLOBudgetingMethodOccurrences
		obj := v1.SLOObjective{Target: ptr(o.Target)}
		found := false
		switch o.Kind {
		case slo.EventRatio:
			for _, e := range b.Events {
				if e.Series != o.Series {
					continue
				}
				found = true
				if e.Latency != nil {
					break
				}
				good, bad, total := e.Good, e.Bad, e.Total
				counter := true
				if total == "" {
					good, bad, total = e.GoodQuery, e.ErrorQuery, e.TotalQuery
					counter = !strings.Contains(good+bad+total, "{{.window}}")
				}
				rm := &v1.SLIRatioMetric{Counter: counter, Total: promMetric(total)}
				if good != "" {
					rm.Good = promMetric(good)
				} else {
					rm.Bad = promMetric(bad)
				}
				ind.RatioMetric = rm
			}
			if found && ind.RatioMetric == nil {
				skip("a latency entry: OpenSLO has no histogram threshold")
				continue
			}
		case slo.Availability:
			for _, a := range b.Availability {
				if a.Series != o.Series {
					continue
				}
				found = true
				q, op, value := a.Query, v1.OperatorGTE, 1.0
				if m := thresholdQuery.FindStringSubmatch(a.Query); m != nil {
					if v, err := strconv.ParseFloat(m[3], 64); err == nil {
						q, op, value = m[1], operatorOf[m[2]], v
					}
				}
				ind.ThresholdMetric = promMetric(q)
				obj.Operator, obj.Value = op, ptr(value)
			}
			slice := o.Availability.Slice
			if slice%time.Minute != 0 {
				skip(fmt.Sprintf("slices of %s: OpenSLO's time slices are whole minutes", slice))
				continue
			}
			budgeting = v1.SLOBudgetingMethodTimeslices
			w := v1.NewDurationShorthand(int(slice/time.Minute), v1.DurationShorthandUnitMinute)
			obj.TimeSliceWindow, obj.TimeSliceTarget = &w, ptr(o.Availability.GoodThreshold)
		}
		if !found {
			skip(fmt.Sprintf("series %q is not a fixed series of source %q (series_label entries have no one query)", o.Series, o.Source))
			continue
		}
		tw, err := timeWindow(o)
		if err != nil {
			skip(err.Error())
			continue
		}
		if !o.Alerting.Disabled && len(o.Alerting.BurnRates) > 0 && !defaultTiers(o.Alerting.BurnRates) {
			skipped = append(skipped, at+": its burn-rate tiers (alerting.burn_rates) are not written as alert policies; the objective is")
		}
		name := dnsName(o.Name)
		md := v1.Metadata{Name: name}
		if name != o.Name {
			md.DisplayName = o.Name
		}
		for _, k := range sortedKeys(o.Labels) {
			if md.Labels == nil {
				md.Labels = v1.Labels{}
			}
			md.Labels[k] = v1.Label{o.Labels[k]}
		}
		svc := dnsName(o.Service)
		if !services[svc] {
			services[svc] = true
			desc := ""
			for _, s := range cfg.Services {
				if s.Name == o.Service {
					desc = s.Description
				}
			}
			objects = append(objects, v1.NewService(v1.Metadata{Name: svc}, v1.ServiceSpec{Description: desc}))
		}
		objects = append(objects, v1.NewSLO(md, v1.SLOSpec{
			Description:     o.Description,
			Service:         svc,
			Indicator:       &v1.SLOIndicatorInline{Metadata: v1.Metadata{Name: name}, Spec: ind},
			BudgetingMethod: budgeting,
			TimeWindow:      []v1.SLOTimeWindow{tw},
			Objectives:      []v1.SLOObjective{obj},
		}))
	}
	if err := openslosdk.Validate(objects...); err != nil {
		return nil, nil, fmt.Errorf("the OpenSLO documents do not validate: %w", err)
	}
	return objects, skipped, nil
}

func ptr[T any](v T) *T { return &v }

func promMetric(q string) *v1.SLIMetricSpec {
	return &v1.SLIMetricSpec{MetricSource: v1.SLIMetricSource{Type: "Prometheus", Spec: map[string]any{"query": q}}}
}

// calendarUnits are the OpenSLO units of the configuration's calendar periods.
var calendarUnits = map[string]v1.DurationShorthandUnit{"week": v1.DurationShorthandUnitWeek, "month": v1.DurationShorthandUnitMonth,
	"quarter": v1.DurationShorthandUnitQuarter, "year": v1.DurationShorthandUnitYear}

// timeWindow writes the objective's period: a rolling window in days, or a calendar period from
// the start of one (2024-01-01 is a Monday and starts every kind) in the objective's timezone.
func timeWindow(o config.Objective) (v1.SLOTimeWindow, error) {
	if d, ok := strings.CutPrefix(o.PeriodName, "rolling:"); ok {
		n, err := strconv.Atoi(strings.TrimSuffix(d, "d"))
		if err != nil {
			return v1.SLOTimeWindow{}, fmt.Errorf("period %q", o.PeriodName)
		}
		return v1.SLOTimeWindow{Duration: v1.NewDurationShorthand(n, v1.DurationShorthandUnitDay), IsRolling: true}, nil
	}
	unit, ok := calendarUnits[o.PeriodName]
	if !ok {
		return v1.SLOTimeWindow{}, fmt.Errorf("period %q has no OpenSLO form", o.PeriodName)
	}
	tz := "UTC"
	if o.Location != nil {
		tz = o.Location.String()
	}
	return v1.SLOTimeWindow{Duration: v1.NewDurationShorthand(1, unit),
		Calendar: &v1.SLOCalendar{StartTime: "2024-01-01 00:00:00", TimeZone: tz}}, nil
}

// defaultTiers says whether tiers are the configuration's default ones.
func defaultTiers(tiers []config.BurnTier) bool {
	if len(tiers) != len(config.DefaultBurnTiers) {
		return false
	}
	for i, t := range tiers {
		if t != config.DefaultBurnTiers[i] {
			return false
		}
	}
	return true
}
