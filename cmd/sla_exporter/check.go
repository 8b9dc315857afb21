package main

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"
)

type checkCmd struct{ configFile *configFlag }

func newCheck(app *kingpin.Application, configFile *configFlag) command {
	app.Command("check", "Check the configuration file and exit: 0 when it is valid, 1 with the file, line and field at fault otherwise.")
	return checkCmd{configFile}
}

func (checkCmd) name() string { return "check" }

func (c checkCmd) run(_ context.Context, e env) error {
	cfg, demo, err := c.configFile.load()
	if err != nil {
		return err
	}
	name := cfg.File
	if demo {
		name = demoName
	}
	_, err = fmt.Fprintf(e.stdout, "%s: OK: %d sources, %d objectives, %d KPIs, %d contracts\n",
		name, len(cfg.Sources), len(cfg.Objectives), len(cfg.KPIs), len(cfg.Contracts))
	return err
}
