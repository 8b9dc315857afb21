package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sla-exporter/sla_exporter/collector/report"
)

type reportCmd struct {
	configFile                              *configFlag
	period, format, output, at              *string
	service, customer, supplier, contractFl *string
}

func newReport(app *kingpin.Application, configFile *configFlag) command {
	c := app.Command("report", "Sync every source once and write the service report of a period (executive summary, services, customer contracts, service desk scorecard, problem trends, suppliers) as HTML, PDF, JSON or CSV. Bad input exits with status 2.")
	return &reportCmd{
		configFile: configFile,
		period:     c.Flag("period", "Month (2026-11) or quarter (2026-Q4), in global.timezone (default: the last finished month).").String(),
		service:    c.Flag("service", "Only this service's objectives, KPIs and contracts.").String(),
		customer:   c.Flag("customer", "Only the objectives and contracts whose customer label is this, and the tickets whose customer field is.").String(),
		supplier:   c.Flag("supplier", "Only the objectives and contracts whose supplier label is this.").String(),
		contractFl: c.Flag("contract", "Only this contract and its objectives.").String(),
		format:     c.Flag("format", "html (one self-contained file), pdf (the HTML printed on A4 by a headless Chromium: see --report.chromium-path), json, or csv (one file per table).").Default("html").String(),
		output:     c.Flag("output", "File to write; for csv a .zip file, or a folder to write the tables into. Default: standard output (csv as a zip).").Short('o').String(),
		at:         c.Flag("at", "Instant to report at, RFC 3339 (default: now).").String(),
	}
}

func (*reportCmd) name() string { return "report" }

// usageError is a command line the command cannot run: it exits with status 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// exitCode is the process's status for an error: 2 for bad input (a flag, a period, a filter),
// 1 for anything else.
func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || report.IsInputError(err) {
		return 2
	}
	return 1
}

func (c *reportCmd) run(ctx context.Context, e env) error {
	format, err := report.ParseFormat(*c.format)
	if err != nil {
		return usageError{fmt.Errorf("--format: %w", err)}
	}
	if format == report.PDF {
		// Said before the sources are read: the report would be built for nothing.
		if _, err := e.pdf.Browser(); err != nil {
			return err
		}
	}
	if err := report.CheckPeriod(*c.period); err != nil {
		return usageError{fmt.Errorf("--period: %w", err)}
	}
	at := time.Now()
	if *c.at != "" {
		t, err := time.Parse(time.RFC3339, *c.at)
		if err != nil {
			return usageError{fmt.Errorf("--at: %q is not an RFC 3339 time such as 2026-12-01T08:00:00Z", *c.at)}
		}
		at = t
	}
	cfg, isDemo, err := c.configFile.load()
	if err != nil {
		return err
	}
	eval, err := evaluateAt(ctx, cfg, e.logger, at, nil)
	if err != nil {
		return err
	}
	req := report.Request{Period: *c.period, Filter: report.Filter{Service: *c.service, Customer: *c.customer, Supplier: *c.supplier, Contract: *c.contractFl}}
	rep, err := report.Build(report.Inputs{Source: eval, Current: eval.Evaluate(at), Demo: isDemo, TicketURL: eval.Config().TicketLink}, req)
	if err != nil {
		return err
	}
	return c.write(ctx, e, rep, format)
}

// write renders the report to the output: standard output, a file, or for CSV a folder of tables
// when the output does not end in .zip.
func (c *reportCmd) write(ctx context.Context, e env, rep *report.Report, format report.Format) error {
	out := *c.output
	if format == report.CSV && out != "" && out != "-" && !strings.EqualFold(filepath.Ext(out), ".zip") {
		written, err := report.WriteCSVDir(out, rep)
		for _, f := range written {
			fmt.Fprintln(e.stdout, f)
		}
		return err
	}
	var buf bytes.Buffer
	if err := report.RenderWith(ctx, &buf, rep, format, e.pdf); err != nil {
		return err
	}
	if out == "" || out == "-" {
		_, err := e.stdout.Write(buf.Bytes())
		return err
	}
	// Written beside the target and renamed over it, so that a reader (a mail job, a web server)
	// never sees half a report.
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, out)
	return err
}
