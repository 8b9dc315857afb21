// Command sla_exporter evaluates SLAs, SLOs and service desk KPIs from ITSM tools and uptime
// data, and exposes the results as Prometheus metrics.
package main

import (
	_ "time/tzdata" // timezones must resolve on machines without a zoneinfo database

	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"

	"github.com/sla-exporter/sla_exporter/collector/pdf"
)

func init() {
	setVersion(debug.ReadBuildInfo)
}

// setVersion fills in the version when the build did not set it with -ldflags -X, from the
// module version Go records in the binary (a tag for `go install ...@v1.2.3`, a pseudo-version
// for a build from a VCS checkout), so that `version` never prints an empty one.
func setVersion(readBuildInfo func() (*debug.BuildInfo, bool)) {
	if version.Version == "" {
		version.Version = "unknown"
		if bi, ok := readBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version.Version = strings.TrimPrefix(bi.Main.Version, "v")
		}
	}
	if version.Branch == "" {
		version.Branch = "unknown"
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, hup); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(exitCode(err))
	}
}

// run parses the command line and runs the chosen subcommand; main only adds the process's
// signals, so tests drive run directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, hup <-chan os.Signal) error {
	app := kingpin.New("sla_exporter", "Evaluates SLAs, SLOs and service desk KPIs and exposes them as Prometheus metrics.")
	app.UsageWriter(stderr)
	app.ErrorWriter(stderr)
	// kingpin "terminates" after --help, --version and the help command; run must return
	// instead of exiting, and must not go on to run the default command (serve) after printing.
	terminated, status := false, 0
	app.Terminate(func(code int) {
		if !terminated {
			terminated, status = true, code
		}
	})
	app.Version(version.Print("sla_exporter"))
	app.HelpFlag.Short('h')
	logConfig := &promslog.Config{}
	promslogflag.AddFlags(app, logConfig)
	configFile := &configFlag{}
	app.Flag("config.file", "Configuration file (with the files it includes), or a folder whose *.yml and *.yaml files are one configuration; without the flag the built-in demo configuration is served (an empty value is an error).").
		IsSetByUser(&configFile.set).StringVar(&configFile.file)
	chromiumPath := app.Flag("report.chromium-path", "Chromium that prints the report as PDF (report --format pdf, /report?format=pdf): a file, or a name on PATH. Default: chromium or chromium-browser on PATH or in /usr/bin (Debian's chromium package).").String()

	cmds := []command{newServe(app, configFile), newCheck(app, configFile), newEvaluate(app, configFile), newReport(app, configFile), newRules(app, configFile), newDashboards(app), newImport(app), newExport(app, configFile), newVersion(app)}
	chosen, err := app.Parse(args)
	if terminated {
		if status != 0 && err == nil {
			err = errors.New("invalid command line")
		}
		if status == 0 {
			err = nil
		}
		return err
	}
	if err != nil {
		return err
	}
	logConfig.Writer = stderr
	logger := promslog.New(logConfig)
	for _, c := range cmds {
		if c.name() == chosen {
			printer := pdf.New(pdf.Options{Path: *chromiumPath, Logger: logger})
			return c.run(ctx, env{stdout: stdout, stderr: stderr, logger: logger, hup: hup, pdf: printer})
		}
	}
	return fmt.Errorf("unknown command %q", chosen)
}
