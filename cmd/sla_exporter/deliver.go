package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/delivery"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/collector/report"
)

// reportRenderer renders the service report for the scheduled deliveries, from the evaluator's
// configuration and data and the latest evaluation published, in every format a delivery asks;
// printer prints the PDF.
func reportRenderer(eval *evaluation.Evaluator, expo *collector.Exposition, demo bool, printer report.Printer) delivery.Renderer {
	return func(ctx context.Context, req delivery.Request) ([]delivery.Attachment, error) {
		snap := expo.Snapshot()
		if snap.At.IsZero() {
			return nil, fmt.Errorf("report %s: nothing has been evaluated yet", req.Period)
		}
		rep, err := report.Build(report.Inputs{Source: eval, Current: snap, Demo: demo, TicketURL: eval.Config().TicketLink},
			report.Request{Period: req.Period, Filter: reportFilter(req.Filter)})
		if err != nil {
			return nil, err
		}
		atts := make([]delivery.Attachment, 0, len(req.Formats))
		for _, f := range req.Formats {
			format, err := report.ParseFormat(f)
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			if err := report.RenderWith(ctx, &buf, rep, format, printer); err != nil {
				return nil, fmt.Errorf("report %s as %s: %w", req.Period, f, err)
			}
			atts = append(atts, delivery.Attachment{Filename: report.FileName(rep, format), ContentType: report.ContentType(format), Data: buf.Bytes()})
		}
		return atts, nil
	}
}

// reportFilter is a delivery's filter as the report takes it.
func reportFilter(f delivery.Filter) report.Filter {
	var out report.Filter
	switch f.Kind {
	case delivery.FilterService:
		out.Service = f.Value
	case delivery.FilterCustomer:
		out.Customer = f.Value
	case delivery.FilterSupplier:
		out.Supplier = f.Value
	case delivery.FilterContract:
		out.Contract = f.Value
	}
	return out
}
