package main

import (
	"context"
	"os"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sla-exporter/sla_exporter/collector/migrate"
)

type importCmd struct {
	from, out, url *string
	slothPeriod    *int
	paths          *[]string
}

func newImport(app *kingpin.Application) command {
	c := app.Command("import", "Convert Sloth, Pyrra and OpenSLO specs (files or folders of .yml, .yaml, .json) into an sla_exporter configuration, written to stdout or --out; the report on stderr lists what mapped exactly, approximately or not at all, with file and line (docs/migration.md).")
	return importCmd{
		from:        c.Flag("from", "The tool the specs are for; auto takes each file by the tool its documents name (version or apiVersion), so that a folder may mix them.").Default("auto").Enum("auto", "sloth", "pyrra", "openslo"),
		out:         c.Flag("out", "File to write the configuration to, instead of stdout.").String(),
		url:         c.Flag("prometheus-url", "URL of the Prometheus (Thanos, Mimir, VictoriaMetrics) the imported SLIs are read from.").Default(migrate.DefaultPrometheusURL).String(),
		slothPeriod: c.Flag("sloth.slo-period-days", "Sloth's SLO period in days (its --default-slo-period).").Default("30").Int(),
		paths:       c.Arg("paths", "Spec files and folders.").Required().Strings(),
	}
}

func (importCmd) name() string { return "import" }

func (c importCmd) run(_ context.Context, e env) error {
	in, err := migrate.ReadPaths(*c.paths)
	if err != nil {
		return err
	}
	res, err := migrate.Import(*c.from, in, migrate.Options{PrometheusURL: *c.url, SlothPeriod: *c.slothPeriod})
	if err != nil {
		return err
	}
	out, err := res.Config.Marshal(migrate.Header(res))
	if err != nil {
		return err
	}
	if err := res.Report.Write(e.stderr); err != nil {
		return err
	}
	if *c.out != "" {
		return os.WriteFile(*c.out, out, 0o644)
	}
	_, err = e.stdout.Write(out)
	return err
}
