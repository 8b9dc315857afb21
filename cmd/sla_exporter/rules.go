package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/rules"
)

type rulesCmd struct {
	configFile *configFlag
	out        *string
	operator   *bool
	namespace  *string
	labels     *map[string]string
	certWarn   model.Duration
	compat     *[]string
}

func newRules(app *kingpin.Application, configFile *configFlag) command {
	c := app.Command("rules", "Write the Prometheus alerting and recording rules of the configuration's objectives, KPIs and sources into a directory (rule_files), or PrometheusRule objects with --operator.")
	r := &rulesCmd{
		configFile: configFile,
		out:        c.Flag("out", "Directory to write the rule files into; created if missing. Files of an earlier run it no longer needs are removed; files it did not generate are never touched.").Required().String(),
		operator:   c.Flag("operator", "Write prometheus-operator PrometheusRule objects instead of Prometheus rule files.").Bool(),
		namespace:  c.Flag("operator.namespace", "Namespace of the PrometheusRule objects (default: none, kubectl's current one).").String(),
		labels:     c.Flag("operator.label", "Label of the PrometheusRule objects, name=value, for the Prometheus object's ruleSelector; repeatable.").StringMap(),
	}
	r.compat = c.Flag("compat", "Also record the series a peer SLO tool's dashboards and alerts query, computed from the exporter's own: sloth (slo:* and sloth_slo_info) or pyrra (pyrra_*); repeatable. See docs/compat-series.md.").
		Enums(compatValues()...)
	c.Flag("cert-expiry-warning", "How long before a certificate that a probe or blackbox source's target presents expires SLACertificateExpiringSoon fires.").
		Default(model.Duration(rules.DefaultCertExpiryWarning).String()).SetValue(&r.certWarn)
	return r
}

func (*rulesCmd) name() string { return "rules" }

func (c *rulesCmd) run(_ context.Context, e env) error {
	if !*c.operator && (*c.namespace != "" || len(*c.labels) > 0) {
		return fmt.Errorf("--operator.namespace and --operator.label apply with --operator")
	}
	if c.certWarn <= 0 {
		return fmt.Errorf("--cert-expiry-warning: %s is not positive", c.certWarn)
	}
	cfg, _, err := c.configFile.load()
	if err != nil {
		return err
	}
	var compat []rules.Compat
	for _, v := range *c.compat {
		compat = append(compat, rules.Compat(v))
	}
	written, err := rules.Write(*c.out, cfg, rules.Options{Operator: *c.operator, Namespace: *c.namespace, OperatorLabels: *c.labels,
		CertExpiryWarning: time.Duration(c.certWarn), Compat: compat})
	for _, name := range written {
		if _, perr := fmt.Fprintln(e.stdout, filepath.Join(*c.out, name)); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

func compatValues() []string {
	vs := make([]string, len(rules.Compats))
	for i, c := range rules.Compats {
		vs[i] = string(c)
	}
	return vs
}
