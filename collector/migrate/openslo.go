package migrate

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"time"

	"github.com/OpenSLO/go-sdk/pkg/openslo"
	v1 "github.com/OpenSLO/go-sdk/pkg/openslo/v1"
	"github.com/OpenSLO/go-sdk/pkg/openslosdk"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/slo/period"
)

// located is an OpenSLO object with the file and YAML node it was read from (go-sdk keeps no
// positions, so each file is read a second time with yaml.v3 for the report's lines).
type located[T any] struct {
	obj  T
	file string
	node *yaml.Node
}

// line returns the line of the key at path under the object ("spec", "timeWindow"), or of the
// deepest part of it that exists.
func (l located[T]) line(path ...string) int {
	n := l.node
	if n == nil {
		return 0
	}
	line := n.Line
	for _, p := range path {
		if n.Kind == yaml.SequenceNode {
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
			continue
		}
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == p {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			return line
		}
	}
	return line
}

// objectNodes returns the nodes of a file's objects in the order go-sdk decodes them: each
// document, or each item of a document that is a list.
func objectNodes(in Input) ([]*yaml.Node, error) {
	docs, err := documents(in)
	if err != nil {
		return nil, err
	}
	var out []*yaml.Node
	for _, d := range docs {
		if d.Kind == yaml.SequenceNode {
			out = append(out, d.Content...)
		} else {
			out = append(out, d)
		}
	}
	return out, nil
}

// openSLOSet is every object read, by kind and name, so that references resolve across files.
type openSLOSet struct {
	slos        []located[v1.SLO]
	slis        map[string]located[v1.SLI]
	dataSources map[string]located[v1.DataSource]
	policies    map[string]located[v1.AlertPolicy]
	conditions  map[string]located[v1.AlertCondition]
	services    map[string]located[v1.Service]
	// used names the SLIs, policies and conditions an imported SLO refers to ("SLI/name").
	used map[string]bool
}

// OpenSLO imports OpenSLO v1 documents read with go-sdk: SLOs with inline or referenced SLIs,
// DataSources and AlertPolicies resolved across the files. Ratio metrics become events entries,
// threshold metrics availability entries; each of an SLO's objectives is an objective.
func OpenSLO(inputs []Input, opts Options) (*Result, error) { return single(inputs, opts, "openslo") }

func importOpenSLO(b *builder, inputs []Input, opts Options) error {
	r := b.report
	set := openSLOSet{slis: map[string]located[v1.SLI]{}, dataSources: map[string]located[v1.DataSource]{},
		policies: map[string]located[v1.AlertPolicy]{}, conditions: map[string]located[v1.AlertCondition]{}, services: map[string]located[v1.Service]{}, used: map[string]bool{}}
	for _, in := range inputs {
		format := openslosdk.FormatYAML
		if strings.EqualFold(filepath.Ext(in.Name), ".json") {
			format = openslosdk.FormatJSON
		}
		objects, err := openslosdk.Decode(bytes.NewReader(in.Data), format)
		if err != nil {
			return fmt.Errorf("%s: %w", in.Name, err)
		}
		nodes, err := objectNodes(in)
		if err != nil {
			return err
		}
		if len(nodes) != len(objects) {
			nodes = make([]*yaml.Node, len(objects)) // lines unknown rather than wrong
		}
		for i, o := range objects {
			if err := o.Validate(); err != nil {
				msg := strings.Join(strings.Fields(err.Error()), " ")
				r.add(in.Name, lineOf(nodes[i]), None, string(o.GetKind())+" "+o.GetName(), "go-sdk's validator refuses it, so it is not imported: "+msg)
				continue
			}
			if o.GetVersion() != openslo.VersionV1 {
				r.add(in.Name, lineOf(nodes[i]), None, string(o.GetKind())+" "+o.GetName(), "only OpenSLO v1 is imported, not "+string(o.GetVersion()))
				continue
			}
			switch v := o.(type) {
			case v1.SLO:
				set.slos = append(set.slos, located[v1.SLO]{v, in.Name, nodes[i]})
			case v1.SLI:
				set.slis[v.Metadata.Name] = located[v1.SLI]{v, in.Name, nodes[i]}
			case v1.DataSource:
				set.dataSources[v.Metadata.Name] = located[v1.DataSource]{v, in.Name, nodes[i]}
			case v1.AlertPolicy:
				set.policies[v.Metadata.Name] = located[v1.AlertPolicy]{v, in.Name, nodes[i]}
			case v1.AlertCondition:
				set.conditions[v.Metadata.Name] = located[v1.AlertCondition]{v, in.Name, nodes[i]}
			case v1.Service:
				set.services[v.Metadata.Name] = located[v1.Service]{v, in.Name, nodes[i]}
				r.add(in.Name, lineOf(nodes[i]), Exact, "Service "+v.Metadata.Name, "services[] with its description")
			case v1.AlertNotificationTarget:
				r.add(in.Name, lineOf(nodes[i]), None, "AlertNotificationTarget "+v.Metadata.Name, "notification routing is Alertmanager's")
			}
		}
	}
	var errs []error
	for _, s := range set.slos {
		if err := set.slo(b, s); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, n := range sortedKeys(set.slis) {
		if l := set.slis[n]; !set.used["SLI/"+n] {
			r.add(l.file, l.line(), None, "SLI "+n, "no imported SLO refers to it")
		}
	}
	for _, n := range sortedKeys(set.policies) {
		if l := set.policies[n]; !set.used["AlertPolicy/"+n] {
			r.add(l.file, l.line(), None, "AlertPolicy "+n, "no imported SLO refers to it")
		}
	}
	for _, n := range sortedKeys(set.conditions) {
		if l := set.conditions[n]; !set.used["AlertCondition/"+n] {
			r.add(l.file, l.line(), None, "AlertCondition "+n, "no imported SLO's policy refers to it")
		}
	}
	for _, n := range sortedKeys(set.dataSources) {
		ds := set.dataSources[n]
		r.add(ds.file, ds.line("spec", "connectionDetails"), Approximate, "DataSource "+ds.obj.Metadata.Name,
			"the configuration reads "+opts.PrometheusURL+" (--prometheus-url); connection details are not carried over")
	}
	return nil
}

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

// sli is an SLO's indicator with where it was written.
type sli struct {
	spec v1.SLISpec
	name string
	// at is the line of the indicator, path the path of its spec under the located object.
	loc  located[v1.SLI]
	path []string
}

func (set *openSLOSet) slo(b *builder, s located[v1.SLO]) error {
	r, spec, name := b.report, s.obj.Spec, s.obj.Metadata.Name
	where := fmt.Sprintf("%s:%d", s.file, s.line())
	notImported := func(line int, construct, why string) error {
		r.add(s.file, line, None, construct, why+": SLO "+quote(name)+" not imported")
		return nil
	}
	var ind sli
	switch {
	case spec.Indicator != nil:
		ind = sli{spec: spec.Indicator.Spec, name: spec.Indicator.Metadata.Name,
			loc: located[v1.SLI]{file: s.file, node: s.node}, path: []string{"spec", "indicator", "spec"}}
	case spec.IndicatorRef != nil:
		ref, ok := set.slis[*spec.IndicatorRef]
		if !ok {
			return fmt.Errorf("%s:%d: SLO %s: indicatorRef %q: no SLI of that name in the files given", s.file, s.line("spec", "indicatorRef"), name, *spec.IndicatorRef)
		}
		set.used["SLI/"+ref.obj.Metadata.Name] = true
		ind = sli{spec: ref.obj.Spec, name: ref.obj.Metadata.Name, loc: located[v1.SLI]{file: ref.file, node: ref.node}, path: []string{"spec"}}
		r.add(s.file, s.line("spec", "indicatorRef"), Exact, "SLO "+name+" indicatorRef", "resolved to SLI "+quote(*spec.IndicatorRef)+" at "+fmt.Sprintf("%s:%d", ref.file, ref.line()))
	default:
		return notImported(s.line("spec", "objectives"), "SLO "+name, "a composite SLO (indicators per objective)")
	}
	if spec.HasCompositeObjectives() {
		return notImported(s.line("spec", "objectives"), "SLO "+name+" objectives[].indicator", "a composite SLO (indicators per objective)")
	}
	service := configName(r, s.file, s.line("spec", "service"), "SLO "+name+" service", spec.Service)
	desc := ""
	if sv, ok := set.services[spec.Service]; ok {
		desc = sv.obj.Spec.Description
	}
	per, tz, err := set.window(r, s)
	if err != nil {
		return err
	}
	if per == "" {
		return nil
	}
	labels := set.labels(r, s)
	alerting := set.alerting(r, s, per)
	if s.obj.Metadata.DisplayName != "" {
		r.add(s.file, s.line("metadata", "displayName"), None, "SLO "+name+" metadata.displayName", "objectives have a name and a description only")
	}
	base := configName(r, s.file, s.line("metadata", "name"), "SLO "+name, name)
	kind, query, ok := set.indicator(b, s, ind, base)
	if !ok {
		return nil
	}
	b.service(service, desc, nil)
	for i, obj := range spec.Objectives {
		at := []string{"spec", "objectives", strconv.Itoa(i)}
		oname := base
		if len(spec.Objectives) > 1 {
			suffix := obj.DisplayName
			if suffix == "" {
				suffix = strconv.Itoa(i + 1)
			}
			oname = configName(r, s.file, s.line(at...), fmt.Sprintf("SLO %s objectives[%d]", name, i), strings.ToLower(base+"-"+suffix))
			r.add(s.file, s.line(at...), Exact, fmt.Sprintf("SLO %s objectives[%d]", name, i), "objective "+quote(oname)+" (one per objective of the SLO)")
		}
		o := Objective{Name: b.uniqueName(oname, oname), Service: service, Description: spec.Description, Kind: kind, Source: SourceName,
			Period: per, Timezone: tz, Labels: labels, Alerting: alerting}
		switch {
		case obj.Target != nil:
			o.Target = *obj.Target
		case obj.TargetPercent != nil:
			o.Target = percent(*obj.TargetPercent)
		}
		if o.Target == nil {
			return fmt.Errorf("%s:%d: SLO %s objectives[%d]: target or targetPercent is required", s.file, s.line(at...), name, i)
		}
		r.add(s.file, s.line(append(at, "target")...), Exact, fmt.Sprintf("SLO %s objectives[%d].target", name, i), fmt.Sprint("target ", o.Target))
		o.Series = base
		if kind == "availability" {
			if obj.Operator == "" || obj.Value == nil {
				return fmt.Errorf("%s:%d: SLO %s objectives[%d]: a thresholdMetric objective needs op and value", s.file, s.line(at...), name, i)
			}
			o.Series = o.Name
			q := fmt.Sprintf("(%s) %s bool %s", strings.TrimSpace(query), operators[obj.Operator], strconv.FormatFloat(*obj.Value, 'f', -1, 64))
			b.source.Availability = append(b.source.Availability, AvailabilityEntry{Series: o.Series, Query: q})
			r.add(s.file, s.line(append(at, "op")...), Exact, fmt.Sprintf("SLO %s objectives[%d] op/value", name, i), "availability query "+q)
			o.Availability = set.timeslices(b, s, obj, at)
		} else {
			if obj.Operator != "" || obj.Value != nil {
				r.add(s.file, s.line(append(at, "op")...), None, fmt.Sprintf("SLO %s objectives[%d] op/value", name, i), "a ratio metric's objective has no threshold")
			}
			if spec.BudgetingMethod != v1.SLOBudgetingMethodOccurrences {
				r.add(s.file, s.line("spec", "budgetingMethod"), Approximate, fmt.Sprintf("SLO %s budgetingMethod %s", name, spec.BudgetingMethod),
					"an event ratio counts events over the period (Occurrences), not good timeslices")
			}
		}
		if obj.CompositeWeight != nil {
			r.add(s.file, s.line(append(at, "compositeWeight")...), None, fmt.Sprintf("SLO %s objectives[%d].compositeWeight", name, i), "no composite SLOs")
		}
		b.objective(o, fmt.Sprintf("%s (OpenSLO SLO %s, objectives[%d])", where, quote(name), i))
	}
	if spec.BudgetingMethod == v1.SLOBudgetingMethodOccurrences {
		r.add(s.file, s.line("spec", "budgetingMethod"), exactFor(kind), "SLO "+name+" budgetingMethod Occurrences", occurrencesNote[kind])
	}
	return nil
}

func exactFor(kind string) Mapping {
	if kind == "event_ratio" {
		return Exact
	}
	return Approximate
}

var occurrencesNote = map[string]string{
	"event_ratio":  "good events over total events",
	"availability": "the share of good 1-minute slices, where OpenSLO counts the metric's good data points",
}

var operators = map[v1.Operator]string{v1.OperatorLT: "<", v1.OperatorLTE: "<=", v1.OperatorGT: ">", v1.OperatorGTE: ">="}

// timeslices maps a Timeslices objective's slice and its target onto the availability block.
func (set *openSLOSet) timeslices(b *builder, s located[v1.SLO], obj v1.SLOObjective, at []string) *Availability {
	r, name := b.report, s.obj.Metadata.Name
	if s.obj.Spec.BudgetingMethod != v1.SLOBudgetingMethodTimeslices {
		b.slices = append(b.slices, 60)
		return nil
	}
	a := &Availability{Slice: "1m"}
	if obj.TimeSliceWindow != nil {
		d := obj.TimeSliceWindow.Duration()
		a.Slice = obj.TimeSliceWindow.String()
		if obj.TimeSliceWindow.GetUnit() != v1.DurationShorthandUnitMinute && obj.TimeSliceWindow.GetUnit() != v1.DurationShorthandUnitHour &&
			obj.TimeSliceWindow.GetUnit() != v1.DurationShorthandUnitDay {
			r.add(s.file, s.line(append(at, "timeSliceWindow")...), None, "SLO "+name+" timeSliceWindow", "slices of months, quarters or years: 1m slices instead")
			a.Slice, d = "1m", 60e9
		}
		b.slices = append(b.slices, int(d.Seconds()))
	}
	if obj.TimeSliceTarget != nil {
		a.GoodThreshold = *obj.TimeSliceTarget
	}
	r.add(s.file, s.line(append(at, "timeSliceWindow")...), Exact, fmt.Sprintf("SLO %s Timeslices", name),
		"availability slice "+a.Slice+", good_threshold "+fmt.Sprint(a.GoodThreshold)+" (the slice's share of evaluations meeting the threshold)")
	return a
}

// window maps the SLO's time window to a period and timezone; "" when none fits (reported).
func (set *openSLOSet) window(r *Report, s located[v1.SLO]) (string, string, error) {
	name := s.obj.Metadata.Name
	tw := s.obj.Spec.TimeWindow[0]
	line := s.line("spec", "timeWindow")
	construct := "SLO " + name + " timeWindow " + tw.Duration.String()
	n, unit := tw.Duration.GetValue(), tw.Duration.GetUnit()
	if tw.IsRolling {
		var days int
		m := Exact
		switch unit {
		case v1.DurationShorthandUnitDay:
			days = n
		case v1.DurationShorthandUnitWeek:
			days = 7 * n
		default:
			d := tw.Duration.Duration()
			days = int((d.Hours() + 23) / 24)
			m = Approximate
		}
		if days < 1 || days > period.MaxRollingDays {
			r.add(s.file, line, None, construct, fmt.Sprintf("rolling periods are 1 to %d days: SLO %s not imported", period.MaxRollingDays, quote(name)))
			return "", "", nil
		}
		p := fmt.Sprintf("rolling:%dd", days)
		if m == Exact {
			r.add(s.file, line, Exact, construct, "period "+p)
		} else {
			r.add(s.file, line, Approximate, construct, "period "+p+": rolling periods are whole days (months 30, quarters 90, years 365)")
		}
		return p, "", nil
	}
	cal := tw.Calendar
	kinds := map[v1.DurationShorthandUnit]string{v1.DurationShorthandUnitWeek: "week", v1.DurationShorthandUnitMonth: "month",
		v1.DurationShorthandUnitQuarter: "quarter", v1.DurationShorthandUnitYear: "year"}
	p, ok := kinds[unit]
	if !ok || n != 1 {
		r.add(s.file, line, None, construct, "calendar periods are 1w, 1M, 1Q and 1Y: SLO "+quote(name)+" not imported")
		return "", "", nil
	}
	per, err := period.Parse(p, nil)
	if err != nil {
		return "", "", err
	}
	tz := cal.TimeZone
	loc, err := loadZone(tz)
	if err != nil {
		return "", "", fmt.Errorf("%s:%d: SLO %s: calendar.timeZone %q: %w", s.file, s.line("spec", "timeWindow", "0", "calendar", "timeZone"), name, tz, err)
	}
	if tz == "UTC" || tz == "Etc/UTC" {
		tz = ""
	}
	start, err := parseStart(cal.StartTime, loc)
	if err != nil {
		return "", "", fmt.Errorf("%s:%d: SLO %s: calendar.startTime: %w", s.file, s.line("spec", "timeWindow", "0", "calendar", "startTime"), name, err)
	}
	per.Location = loc
	if first, _ := per.Bounds(start); first.Equal(start) {
		r.add(s.file, line, Exact, construct, "period "+p+" in "+loc.String())
	} else {
		r.add(s.file, line, Approximate, construct, fmt.Sprintf("period %s in %s: calendar %ss start on their first day at 00:00 (weeks on Monday), not at %s", p, loc, p, cal.StartTime))
	}
	return p, tz, nil
}

// labels maps metadata labels to objective labels; a label with several values keeps them
// joined with commas.
func (set *openSLOSet) labels(r *Report, s located[v1.SLO]) map[string]string {
	flat := map[string]string{}
	for k, vs := range s.obj.Metadata.Labels {
		flat[k] = strings.Join(vs, ",")
		if len(vs) > 1 {
			r.add(s.file, s.line("metadata", "labels", k), Approximate, "SLO "+s.obj.Metadata.Name+" metadata.labels."+k, "several values joined with commas: "+quote(flat[k]))
		}
	}
	if len(s.obj.Metadata.Annotations) > 0 {
		r.add(s.file, s.line("metadata", "annotations"), None, "SLO "+s.obj.Metadata.Name+" metadata.annotations", "objectives have no annotations")
	}
	out := keepLabels(r, s.file, s.line("metadata", "labels"), "SLO "+s.obj.Metadata.Name+" metadata.labels", flat, false)
	if len(out) > 0 {
		r.add(s.file, s.line("metadata", "labels"), Exact, "SLO "+s.obj.Metadata.Name+" metadata.labels", "objective labels")
	}
	return out
}

func loadZone(tz string) (*time.Location, error) {
	if tz == "" {
		return time.UTC, nil
	}
	return time.LoadLocation(tz)
}

// parseStart reads a calendar's startTime ("2022-01-01 12:00:00") in its zone.
func parseStart(s string, loc *time.Location) (time.Time, error) {
	return time.ParseInLocation(time.DateTime, s, loc)
}
