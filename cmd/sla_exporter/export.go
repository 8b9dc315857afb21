package main

import (
	"context"
	"fmt"

	"github.com/OpenSLO/go-sdk/pkg/openslosdk"
	"github.com/alecthomas/kingpin/v2"

	"github.com/sla-exporter/sla_exporter/collector/migrate"
)

type exportCmd struct {
	configFile *configFlag
	to         *string
}

func newExport(app *kingpin.Application, configFile *configFlag) command {
	c := app.Command("export", "Write the configuration's availability and event-ratio objectives as OpenSLO v1 documents (YAML) to stdout; what OpenSLO cannot express (ticket SLAs) is listed on stderr as skipped.")
	return exportCmd{configFile: configFile, to: c.Flag("to", "The format to write.").Required().Enum("openslo")}
}

func (exportCmd) name() string { return "export" }

func (c exportCmd) run(_ context.Context, e env) error {
	cfg, _, err := c.configFile.load()
	if err != nil {
		return err
	}
	objects, skipped, err := migrate.ExportOpenSLO(cfg)
	if err != nil {
		return err
	}
	for _, s := range skipped {
		if _, err := fmt.Fprintln(e.stderr, "skipped:", s); err != nil {
			return err
		}
	}
	return openslosdk.Encode(e.stdout, openslosdk.FormatYAML, objects...)
}
