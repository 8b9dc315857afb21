package e2e

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// TestCostInPrometheus scrapes the built-in demo (which prices the desk's breached tickets and the
// web shop's downtime, and holds hostco's supplier contract) into Prometheus and reads
// sla_cost_amount back: every series the exporter serves is there with its value, labelled by
// service, kind, window and currency, and a per-currency sum of the costs is what PromQL gives.
func TestCostInPrometheus(t *testing.T) {
	requireTool(t, "prometheus")
	exp := startExporter(t, exporterBinary(t)) // no --config.file: the built-in demo
	prom := startPrometheus(t, exp.addr, "", "")

	served := map[string]float64{} // "service/kind/window/currency" → value
	readServed := func() (bool, string) {
		body, err := getText(exp.url + "/metrics")
		if err != nil {
			return false, err.Error()
		}
		p := expfmt.NewTextParser(model.UTF8Validation)
		mfs, err := p.TextToMetricFamilies(strings.NewReader(body))
		if err != nil {
			return false, err.Error()
		}
		mf := mfs[c.CostAmount]
		if mf == nil {
			return false, "no " + c.CostAmount
		}
		clear(served)
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			served[l[c.LabelService]+"/"+l[c.LabelKind]+"/"+l[c.LabelWindow]+"/"+l[c.LabelCurrency]] = m.GetGauge().GetValue()
		}
		return true, ""
	}
	waitFor(t, time.Now().Add(time.Minute), 250*time.Millisecond, "the exporter to publish the demo's costs", readServed)
	t.Logf("served: %v", served)
	// The demo's three priced figures, so far and forecast.
	for _, key := range []string{"service-desk/breached_tickets/so_far/EUR", "service-desk/breached_tickets/forecast/EUR",
		"webshop/downtime/so_far/EUR", "webshop/downtime/forecast/EUR", "hosting/credits_earned/so_far/EUR", "hosting/credits_earned/forecast/EUR"} {
		if _, ok := served[key]; !ok {
			t.Errorf("the exporter serves no %s %s (serves %v)", c.CostAmount, key, served)
		}
	}

	// The figures change at each evaluation (every 30s in the demo; a forecast moves with the
	// clock): each try reads the exposition again, until Prometheus holds what it serves.
	waitFor(t, time.Now().Add(time.Minute), 500*time.Millisecond, "Prometheus to hold the served costs", func() (bool, string) {
		if ok, why := readServed(); !ok {
			return false, why
		}
		r, err := promQuery(prom, c.CostAmount)
		if err != nil || len(r.Data.Result) != len(served) {
			return false, "series: " + strconv.Itoa(len(r.Data.Result)) + ", err " + errText(err)
		}
		for _, s := range r.Data.Result {
			key := s.Metric[c.LabelService] + "/" + s.Metric[c.LabelKind] + "/" + s.Metric[c.LabelWindow] + "/" + s.Metric[c.LabelCurrency]
			v, _ := strconv.ParseFloat(s.Value[1].(string), 64)
			if want, ok := served[key]; !ok || math.Abs(v-want) > 1e-9 {
				return false, key + ": " + s.Value[1].(string)
			}
		}
		return true, ""
	})

	// What the costs add up to per currency, as a dashboard would ask.
	var want float64
	for key, v := range served {
		if strings.Contains(key, "/so_far/EUR") && !strings.Contains(key, "/credits_earned/") {
			want += v
		}
	}
	r, err := promQuery(prom, `sum by (currency) (`+c.CostAmount+`{window="so_far", kind!="credits_earned"})`)
	if err != nil || len(r.Data.Result) != 1 || r.Data.Result[0].Metric[c.LabelCurrency] != "EUR" {
		t.Fatalf("sum by currency: %+v, %v", r.Data.Result, err)
	}
	if v, _ := strconv.ParseFloat(r.Data.Result[0].Value[1].(string), 64); math.Abs(v-want) > 1e-9 {
		t.Errorf("sum of the EUR costs so far: Prometheus %g, the exposition %g", v, want)
	}
}

func errText(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}
