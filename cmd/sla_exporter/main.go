// Command sla_exporter evaluates SLAs, SLOs and service desk KPIs from ITSM tools and uptime
// data, and exposes the results as Prometheus metrics.
package main

import (
	_ "time/tzdata" // timezones must resolve on machines without a zoneinfo database

	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, hup); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// run parses the command line and runs the chosen subcommand; main only adds the process's
// signals, so tests drive run directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, hup <-chan os.Signal) error {
	app := kingpin.New("sla_exporter", "Evaluates SLAs, SLOs and service desk KPIs and exposes them as Prometheus metrics.")
	app.UsageWriter(stderr)
	app.ErrorWriter(stderr)
	app.Terminate(nil)
	app.Version(version.Print("sla_exporter"))
	app.HelpFlag.Short('h')
	logConfig := &promslog.Config{}
	promslogflag.AddFlags(app, logConfig)
	configFile := app.Flag("config.file", "Configuration file; without it the built-in demo configuration is served.").String()

	cmds := []command{newServe(app, configFile), newCheck(app, configFile), newEvaluate(app, configFile), newVersion(app)}
	chosen, err := app.Parse(args)
	if err != nil {
		return err
	}
	logConfig.Writer = stderr
	logger := promslog.New(logConfig)
	for _, c := range cmds {
		if c.name() == chosen {
			return c.run(ctx, env{stdout: stdout, stderr: stderr, logger: logger, hup: hup})
		}
	}
	return fmt.Errorf("unknown command %q", chosen)
}
