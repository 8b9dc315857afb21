package main

import (
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/delivery"
	"github.com/sla-exporter/sla_exporter/collector/demo"
)

// TestReportRenderer: the scheduled deliveries get the report of the period they ask for, in
// each format they list, named and typed as /report names and types them; before the first
// evaluation there is nothing to render.
func TestReportRenderer(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	cfg, err := config.Load(demo.ConfigYAML, demoName, ".")
	if err != nil {
		t.Fatal(err)
	}
	expo := collector.NewExposition()
	eval, err := evaluateAt(t.Context(), cfg, slog.New(slog.DiscardHandler), at, expo)
	if err != nil {
		t.Fatal(err)
	}
	render := reportRenderer(eval, expo, true)
	req := delivery.Request{Report: "monthly", Period: "2026-11", Formats: []string{"html", "csv", "json"}}
	if _, err := render(t.Context(), req); err == nil {
		t.Error("rendered before any evaluation")
	}
	eval.Publish()
	atts, err := render(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	type file struct{ Name, Type string }
	var got []file
	for _, a := range atts {
		if len(a.Data) == 0 {
			t.Errorf("%s is empty", a.Filename)
		}
		got = append(got, file{a.Filename, a.ContentType})
	}
	want := []file{
		{"service-report-2026-11.html", "text/html; charset=utf-8"},
		{"service-report-2026-11.zip", "application/zip"},
		{"service-report-2026-11.json", "application/json"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attachments (-want +got):\n%s", diff)
	}
	req.Filter = delivery.Filter{Kind: delivery.FilterService, Value: "no-such-service"}
	if _, err := render(t.Context(), req); err == nil {
		t.Error("a filter naming nothing rendered")
	}
}
