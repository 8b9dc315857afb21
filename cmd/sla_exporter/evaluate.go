package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	slaweb "github.com/sla-exporter/sla_exporter/collector/web"
)

type evaluateCmd struct {
	configFile *configFlag
	at         *string
	format     *string
	tickets    *string
	state      *string
}

func newEvaluate(app *kingpin.Application, configFile *configFlag) command {
	c := app.Command("evaluate", "Sync every source once, evaluate at one instant and print objectives, KPIs and contract credits (last finished period, forecast, running) as JSON (or one objective's ticket cycles).")
	return &evaluateCmd{
		configFile: configFile,
		at:         c.Flag("at", "Instant to evaluate at, RFC 3339 (default: now).").String(),
		format:     c.Flag("format", "Output format: json, or csv (ticket cycles only).").Default("json").Enum("json", "csv"),
		tickets:    c.Flag("tickets", "Print this ticket objective's cycles instead of the results.").String(),
		state:      c.Flag("state", "With --tickets: only cycles in this state ("+fmt.Sprint(evaluation.DrillStates)+").").String(),
	}
}

func (*evaluateCmd) name() string { return "evaluate" }

func (c *evaluateCmd) run(ctx context.Context, e env) error {
	at := time.Now()
	if *c.at != "" {
		t, err := time.Parse(time.RFC3339, *c.at)
		if err != nil {
			return fmt.Errorf("--at: %q is not an RFC 3339 time such as 2026-11-01T00:00:00Z", *c.at)
		}
		at = t
	}
	if *c.format == "csv" && *c.tickets == "" {
		return fmt.Errorf("--format csv applies to --tickets output")
	}
	cfg, _, err := c.configFile.load()
	if err != nil {
		return err
	}
	eval, err := evaluateAt(ctx, cfg, e.logger, at, nil)
	if err != nil {
		return err
	}
	if *c.tickets != "" {
		rows, err := eval.Cycles(*c.tickets, *c.state, at)
		if err != nil {
			return err
		}
		if *c.format == "csv" {
			return slaweb.WriteCSV(e.stdout, rows)
		}
		return writeIndented(e, rows)
	}
	return writeIndented(e, slaweb.Report(eval.Evaluate(at)))
}

// fixedClock is the system clock with Now stopped at one instant.
type fixedClock struct {
	collector.SystemClock
	at time.Time
}

func (c fixedClock) Now() time.Time { return c.at }

func writeIndented(e env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// evaluateAt syncs every source of cfg once, in memory, and returns an evaluator over what they
// returned, for the one-shot commands (evaluate, report). Sources and the runner see the instant
// asked for, so a simulated source shows the world as it was then and last-success times agree
// with it. expo, when set, receives what the evaluator publishes.
func evaluateAt(ctx context.Context, cfg *config.Config, logger *slog.Logger, at time.Time, expo *collector.Exposition) (*evaluation.Evaluator, error) {
	runner := collector.NewRunner(collector.RunnerOptions{Logger: logger, Clock: fixedClock{at: at}})
	srcs, err := sourceConfigs(cfg, logger, nil, func() time.Time { return at })
	if err != nil {
		return nil, err
	}
	if err := runner.Update(srcs); err != nil {
		return nil, err
	}
	if err := runner.SyncOnce(ctx); err != nil {
		return nil, err
	}
	return evaluation.New(cfg, evaluation.Options{Data: runner, Expo: expo, Logger: logger, Now: func() time.Time { return at }}), nil
}
