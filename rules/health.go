package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/sources"
	"github.com/sla-exporter/sla_exporter/slo/conventions"
	"github.com/sla-exporter/sla_exporter/slo/kpi"
)

// health adds the groups that do not belong to one objective: the exporter's own health, the
// sources, and the KPIs by service. They come first in the files because they change least.
func (g *generator) health() error {
	a := &g.cfg.Global.Alerting
	if err := g.checkAlerting(a); err != nil {
		return fmt.Errorf("global: %w", err)
	}
	h := healthRules{cfg: g.cfg, a: linksWithoutObjective(a), opts: &g.opts}
	if a.Disabled {
		return nil
	}
	exp := Group{Name: groupExporter, Rules: []Rule{h.evaluationStale(), h.reloadFailed(), h.storeFailing()}}
	if err := g.add(&exp); err != nil {
		return err
	}
	if len(g.cfg.Sources) > 0 {
		src := Group{Name: groupSources, Rules: make([]Rule, 0, 4*len(g.cfg.Sources))}
		for i := range g.cfg.Sources {
			s := &g.cfg.Sources[i]
			src.Rules = append(src.Rules, h.sourceDown(s), h.sourceStale(s), h.sourceRejecting(s))
			if k, err := sources.Lookup(s.Type); err == nil && k.Probes {
				src.Rules = append(src.Rules, h.certExpiring(s))
			}
		}
		if err := g.add(&src); err != nil {
			return err
		}
	}
	// KPIs by service, services in the order of their first KPI.
	var services []string
	byService := map[string][]*config.KPI{}
	for i := range g.cfg.KPIs {
		k := &g.cfg.KPIs[i]
		if _, ok := byService[k.Service]; !ok {
			services = append(services, k.Service)
		}
		byService[k.Service] = append(byService[k.Service], k)
	}
	for _, svc := range services {
		grp := Group{Name: groupKPIs + svc}
		for _, k := range byService[svc] {
			grp.Rules = append(grp.Rules, h.kpiStatus(k, kpi.Red))
			if g.opts.KPIAmber && k.Spec.Red != nil {
				grp.Rules = append(grp.Rules, h.kpiStatus(k, kpi.Amber))
			}
		}
		if err := g.add(&grp); err != nil {
			return err
		}
	}
	return nil
}

// linksWithoutObjective returns the global alerting block for alerts that belong to no
// objective: a runbook or dashboard link that names $labels.objective would lead nowhere from
// them, so it is left out.
func linksWithoutObjective(a *config.Alerting) *config.Alerting {
	b := *a
	for _, link := range []*string{&b.RunbookURL, &b.DashboardURL} {
		if strings.Contains(*link, ".objective") {
			*link = ""
		}
	}
	return &b
}

// healthRules builds the rules of the exporter, its sources and the KPIs, labelled and
// annotated after the global alerting block.
type healthRules struct {
	cfg  *config.Config
	a    *config.Alerting
	opts *Options
}

func (h *healthRules) labels(extra ...string) map[string]string {
	l := make(map[string]string, 1+len(h.a.Labels)+len(extra)/2)
	for k, v := range h.a.Labels {
		l[k] = v
	}
	l[LabelSeverity] = h.a.TicketSeverity
	for i := 0; i+1 < len(extra); i += 2 {
		l[extra[i]] = extra[i+1]
	}
	return l
}

// evaluationStale fires when the last evaluation is older than five evaluation intervals (at
// least 5m): the figures on /metrics stop moving while the process looks healthy.
func (h *healthRules) evaluationStale() Rule {
	limit := max(5*h.cfg.Global.EvaluationInterval, 5*time.Minute)
	return Rule{
		Alert:  AlertEvaluationStale,
		Expr:   "time() - " + conventions.LastEvaluation + " > " + seconds(limit),
		Labels: h.labels(),
		Annotations: annotations(h.a,
			"sla_exporter has not evaluated its objectives for {{ $value | humanizeDuration }}",
			fmt.Sprintf("The last evaluation of {{ $labels.instance }} ran {{ $value | humanizeDuration }} ago; it runs every %s. Its published figures are getting old.",
				fmtDuration(h.cfg.Global.EvaluationInterval))),
	}
}

func (h *healthRules) reloadFailed() Rule {
	return Rule{
		Alert:  AlertReloadFailed,
		Expr:   conventions.ConfigLastReloadSuccessful + " == 0",
		For:    forDuration(DefaultReloadFailedFor),
		Labels: h.labels(),
		Annotations: annotations(h.a,
			"sla_exporter {{ $labels.instance }} refused its configuration",
			"The last reload of the configuration of {{ $labels.instance }} failed and it keeps running the previous one. sla_exporter check shows the file, line and field at fault."),
	}
}

// sourceDown fires after the source's syncs failed for two of its intervals (at least 5m).
func (h *healthRules) sourceDown(s *config.Source) Rule {
	wait := max(2*s.Interval, 5*time.Minute)
	return Rule{
		Alert:  AlertSourceDown,
		Expr:   conventions.SourceUp + "{" + conventions.LabelSource + "=" + quote(s.Name) + "} == 0",
		For:    forDuration(wait),
		Labels: h.labels(conventions.LabelSource, s.Name),
		Annotations: annotations(h.a,
			fmt.Sprintf("Source %s is failing to sync", s.Name),
			fmt.Sprintf("The syncs of source %s (%s, every %s) have failed, or returned data too broken to trust (sla_source_status says which), for %s. The objectives and KPIs it feeds keep their figures until %s after its last success, then turn no_data.",
				s.Name, s.Type, fmtDuration(s.Interval), fmtDuration(wait), fmtDuration(h.cfg.Global.Staleness))),
	}
}

// sourceStale fires when the source's last success is older than the staleness limit, the
// moment the exporter withholds the figures of the objectives it feeds.
func (h *healthRules) sourceStale(s *config.Source) Rule {
	return Rule{
		Alert:  AlertSourceStale,
		Expr:   "time() - " + conventions.SourceLastSuccess + "{" + conventions.LabelSource + "=" + quote(s.Name) + "} > " + seconds(h.cfg.Global.Staleness),
		Labels: h.labels(conventions.LabelSource, s.Name),
		Annotations: annotations(h.a,
			fmt.Sprintf("Source %s has not synced for {{ $value | humanizeDuration }}", s.Name),
			fmt.Sprintf("Source %s last synced successfully {{ $value | humanizeDuration }} ago, past the staleness limit of %s: the objectives and KPIs it feeds are published as no_data.",
				s.Name, fmtDuration(h.cfg.Global.Staleness))),
	}
}

// sourceRejecting fires when a source's syncs keep rejecting records as malformed: a mapping that
// no longer fits the export (a new status, a date layout) quietly drops tickets and moves the
// attainment, well before a source is refused as unsound.
func (h *healthRules) sourceRejecting(s *config.Source) Rule {
	wait := max(2*s.Interval, 15*time.Minute)
	return Rule{
		Alert:  AlertSourceRejecting,
		Expr:   conventions.SourceLastSyncRejected + "{" + conventions.LabelSource + "=" + quote(s.Name) + "} > 0",
		For:    forDuration(wait),
		Labels: h.labels(conventions.LabelSource, s.Name),
		Annotations: annotations(h.a,
			fmt.Sprintf("Source %s rejects {{ $value | humanizePercentage }} of its records", s.Name),
			fmt.Sprintf("The last syncs of source %s rejected {{ $value | humanizePercentage }} of the records they read as malformed, for %s: those tickets or samples count nowhere. /api/v1/sources lists the causes with an example record; sla_exporter check names the setting that does not fit the data.",
				s.Name, fmtDuration(wait))),
	}
}

// certExpiring fires when a certificate that a target of a probing source presented expires
// within the warning, or has expired (the last expiry seen stays published while the expired
// certificate fails the probes).
func (h *healthRules) certExpiring(s *config.Source) Rule {
	warn := h.opts.CertExpiryWarning
	return Rule{
		Alert:  AlertCertExpiring,
		Expr:   conventions.ProbeCertExpiry + "{" + conventions.LabelSource + "=" + quote(s.Name) + "} - time() < " + seconds(warn),
		For:    forDuration(certExpiringFor),
		Labels: h.labels(conventions.LabelSource, s.Name),
		Annotations: annotations(h.a,
			"The certificate of {{ $labels.target }} expires in {{ $value | humanizeDuration }}",
			fmt.Sprintf("The earliest-expiring certificate that {{ $labels.target }} (series {{ $labels.series }} of source %s, probe {{ $labels.prober }}) presented expires in {{ $value | humanizeDuration }} (negative: it has expired), within the %s this alert warns ahead. Renew it; %s has the date.",
				s.Name, fmtDuration(warn), conventions.ProbeCertExpiry)),
	}
}

// storeFailing fires when writes to the database fail (a full disk): new data is not kept, and
// the figures turn no_data once the sources' last stored syncs are older than the staleness.
func (h *healthRules) storeFailing() Rule {
	return Rule{
		Alert:  AlertStoreWriteFailing,
		Expr:   conventions.StoreLastWriteSuccessful + " == 0",
		For:    forDuration(5 * time.Minute),
		Labels: h.labels(),
		Annotations: annotations(h.a,
			"sla_exporter {{ $labels.instance }} cannot write its database",
			fmt.Sprintf("Writes of collected data to the database of {{ $labels.instance }} fail (a full disk, a read-only volume): new data is not kept, and the figures of every source turn no_data %s after its last stored sync.", fmtDuration(h.cfg.Global.Staleness))),
	}
}

func (h *healthRules) kpiStatus(k *config.KPI, status kpi.Status) Rule {
	name, what := AlertKPIRed, "misses its target"
	if k.Spec.Red != nil {
		what = "is worse than its red threshold"
	}
	if status == kpi.Amber {
		name, what = AlertKPIAmber, "misses its target, but not by as much as its red threshold"
	}
	return Rule{
		Alert: name,
		Expr: conventions.KPIStatus + "{" + conventions.LabelKPI + "=" + quote(k.Spec.Name) + "," +
			conventions.LabelService + "=" + quote(k.Service) + "," + conventions.LabelStatus + "=" + quote(status.String()) + "} == 1",
		For:    forDuration(h.opts.KPIFor),
		Labels: h.labels(conventions.LabelKPI, k.Spec.Name, conventions.LabelService, k.Service),
		Annotations: annotations(h.a,
			fmt.Sprintf("KPI %s of %s is %s", k.Spec.Name, k.Service, status),
			fmt.Sprintf("KPI %s (%s of service %s, %s) %s. See %s and %s.",
				k.Spec.Name, k.Spec.Kind, k.Service, periodText(k.Period), what, conventions.KPIValue, conventions.KPITarget)),
	}
}
