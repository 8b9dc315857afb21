// Package migrate converts SLO specifications of other tools into sla_exporter configurations
// and back: Sloth's prometheus/v1 specs and PrometheusServiceLevel resources, Pyrra's
// ServiceLevelObjective resources and OpenSLO v1 documents are imported; a configuration's
// availability and event-ratio objectives are exported as OpenSLO v1. Every import comes with a
// report of what mapped exactly, what approximately and what has no equivalent, each with the
// file and line it came from, so that nothing of a spec is dropped unseen.
package migrate

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// Config is the part of an sla_exporter configuration the importers write. The field order and
// names are those of docs/configuration.md; config.Load is the judge of what it means.
type Config struct {
	Sources    []Source    `yaml:"sources,omitempty"`
	Services   []Service   `yaml:"services,omitempty"`
	Objectives []Objective `yaml:"objectives"`
	// from is where each objective came from, written as a comment above it.
	from []string
}

// Source is a `prometheus` source carrying the imported SLIs.
type Source struct {
	Name       string      `yaml:"name"`
	Type       string      `yaml:"type"`
	Prometheus *Prometheus `yaml:"prometheus"`
}

// Prometheus is the source's `prometheus:` block.
type Prometheus struct {
	URL          string              `yaml:"url"`
	Step         string              `yaml:"step,omitempty"`
	Backfill     string              `yaml:"backfill,omitempty"`
	Period       string              `yaml:"period,omitempty"`
	Availability []AvailabilityEntry `yaml:"availability,omitempty"`
	Events       []EventsEntry       `yaml:"events,omitempty"`
}

// AvailabilityEntry is a series from a PromQL expression whose values are 1 (up) or 0 (down).
type AvailabilityEntry struct {
	Series string `yaml:"series"`
	Query  string `yaml:"query"`
}

// EventsEntry is an event series: counter selectors (good|bad and total), PromQL queries
// (error_query|good_query and total_query) or a histogram (latency).
type EventsEntry struct {
	Series     string   `yaml:"series"`
	Good       string   `yaml:"good,omitempty"`
	Bad        string   `yaml:"bad,omitempty"`
	Total      string   `yaml:"total,omitempty"`
	ErrorQuery string   `yaml:"error_query,omitempty"`
	GoodQuery  string   `yaml:"good_query,omitempty"`
	TotalQuery string   `yaml:"total_query,omitempty"`
	Latency    *Latency `yaml:"latency,omitempty"`
}

// Latency is a histogram SLI: observations at or below LE are good.
type Latency struct {
	Metric string  `yaml:"metric"`
	LE     float64 `yaml:"le"`
}

// Service is a service of the configuration.
type Service struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
}

// Objective is an availability or event-ratio objective.
type Objective struct {
	Name        string `yaml:"name"`
	Service     string `yaml:"service"`
	Description string `yaml:"description,omitempty"`
	Kind        string `yaml:"kind"`
	Source      string `yaml:"source"`
	Series      string `yaml:"series"`
	// Target is a ratio (float64) or a percentage ("99.9%").
	Target       any               `yaml:"target"`
	Period       string            `yaml:"period"`
	Timezone     string            `yaml:"timezone,omitempty"`
	Labels       map[string]string `yaml:"labels,omitempty"`
	Availability *Availability     `yaml:"availability,omitempty"`
	Alerting     *Alerting         `yaml:"alerting,omitempty"`
}

// Availability is an availability objective's slicing.
type Availability struct {
	Slice         string `yaml:"slice,omitempty"`
	GoodThreshold any    `yaml:"good_threshold,omitempty"`
}

// Alerting is an objective's alerting block.
type Alerting struct {
	Disabled       bool              `yaml:"disabled,omitempty"`
	PageSeverity   string            `yaml:"page_severity,omitempty"`
	TicketSeverity string            `yaml:"ticket_severity,omitempty"`
	RunbookURL     string            `yaml:"runbook_url,omitempty"`
	DashboardURL   string            `yaml:"dashboard_url,omitempty"`
	BurnRates      []BurnTier        `yaml:"burn_rates,omitempty"`
	Labels         map[string]string `yaml:"labels,omitempty"`
}

// BurnTier is a multi-window burn-rate alert tier.
type BurnTier struct {
	Long     string  `yaml:"long"`
	Short    string  `yaml:"short"`
	Budget   float64 `yaml:"budget"`
	Severity string  `yaml:"severity"`
	For      string  `yaml:"for,omitempty"`
}

func (a *Alerting) empty() bool {
	return a == nil || (!a.Disabled && a.PageSeverity == "" && a.TicketSeverity == "" && a.RunbookURL == "" &&
		a.DashboardURL == "" && len(a.BurnRates) == 0 && len(a.Labels) == 0)
}

// Marshal writes the configuration as YAML, with header as a comment on top and the origin of
// each objective as a comment above it.
func (c *Config) Marshal(header string) ([]byte, error) {
	for i := range c.Objectives {
		if c.Objectives[i].Alerting.empty() {
			c.Objectives[i].Alerting = nil
		}
	}
	var doc yaml.Node
	if err := doc.Encode(c); err != nil {
		return nil, err
	}
	doc.HeadComment = header
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value != "objectives" {
			continue
		}
		for j, o := range doc.Content[i+1].Content {
			if j < len(c.from) && c.from[j] != "" {
				o.HeadComment = "from " + c.from[j]
			}
		}
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// builder gathers what one import writes: one prometheus source, the services and the
// objectives, with names kept unique.
type builder struct {
	cfg      Config
	source   *Prometheus
	services map[string]int
	names    map[string]bool
	report   *Report
	// slices are the availability objectives' slice lengths, which the source's step must
	// divide.
	slices []int
}

func newBuilder(url string, r *Report) *builder {
	b := &builder{services: map[string]int{}, names: map[string]bool{}, report: r}
	b.source = &Prometheus{URL: url}
	b.cfg.Sources = []Source{{Name: SourceName, Type: "prometheus", Prometheus: b.source}}
	return b
}

// SourceName is the name of the prometheus source an import writes.
const SourceName = "prometheus"

// service adds a service, or merges labels into the one of that name.
func (b *builder) service(name, description string, labels map[string]string) {
	if i, ok := b.services[name]; ok {
		s := &b.cfg.Services[i]
		if s.Description == "" {
			s.Description = description
		}
		for k, v := range labels {
			if _, ok := s.Labels[k]; !ok {
				if s.Labels == nil {
					s.Labels = map[string]string{}
				}
				s.Labels[k] = v
			}
		}
		return
	}
	b.services[name] = len(b.cfg.Services)
	b.cfg.Services = append(b.cfg.Services, Service{Name: name, Description: description, Labels: labels})
}

// uniqueName returns name, or when taken (two specs with an SLO of the same name) the first of
// alt, then alt-2, alt-3 ... that is free.
func (b *builder) uniqueName(name, alt string) string {
	if !b.names[name] {
		b.names[name] = true
		return name
	}
	cand := alt
	for i := 2; b.names[cand]; i++ {
		cand = alt + "-" + strconv.Itoa(i)
	}
	b.names[cand] = true
	return cand
}

// objective adds an objective read at from ("file:line").
func (b *builder) objective(o Objective, from string) {
	b.cfg.Objectives = append(b.cfg.Objectives, o)
	b.cfg.from = append(b.cfg.from, from)
}

// finish sets the source's step and backfill from the objectives and returns the configuration.
func (b *builder) finish() *Config {
	if g := gcdAll(append(slices.Clone(b.slices), 60)); g != 60 && g > 0 {
		b.source.Step = fmt.Sprintf("%ds", g)
	}
	b.source.Backfill, b.source.Period = backfill(b.cfg.Objectives)
	if len(b.source.Events) == 0 && len(b.source.Availability) == 0 {
		// Nothing imported: a source without series does not load.
		b.cfg.Sources = nil
	}
	return &b.cfg
}

func gcdAll(v []int) int {
	g := 0
	for _, x := range v {
		for x != 0 {
			g, x = x, g%x
		}
	}
	return g
}

// periodDays is the shortest length of a calendar period, what one previous period of backfill
// surely covers.
var periodDays = map[string]int{"week": 7, "month": 28, "quarter": 89, "year": 365}

// twoPeriods is the longest a calendar period and the one before it last together.
var twoPeriods = map[string]int{"week": 14, "month": 62, "quarter": 184, "year": 366}

// backfill returns the source's backfill and period: the default ("2 periods" of month) when it
// covers every objective's period, else the longest calendar period, or the longest rolling
// window as a duration (the source backfills at most 366d).
func backfill(objs []Objective) (string, string) {
	longest, rolling := "month", 0
	for _, o := range objs {
		if d, ok := strings.CutPrefix(o.Period, "rolling:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(d, "d"))
			rolling = max(rolling, n)
		} else if periodDays[o.Period] > periodDays[longest] {
			longest = o.Period
		}
	}
	if rolling <= periodDays[longest] {
		if longest == "month" {
			return "", ""
		}
		return "", longest
	}
	return fmt.Sprintf("%dd", min(max(rolling, twoPeriods[longest]), 366)), ""
}

// percent writes a 0-100 figure as a ratio the configuration reads ("99.9%").
func percent(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64) + "%"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func modelDuration(d time.Duration) string { return model.Duration(d).String() }
