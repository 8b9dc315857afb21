package main

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"
)

type versionCmd struct{}

func newVersion(app *kingpin.Application) command {
	app.Command("version", "Print the version and build information.")
	return versionCmd{}
}

func (versionCmd) name() string { return "version" }

func (versionCmd) run(_ context.Context, e env) error {
	_, err := fmt.Fprintln(e.stdout, version.Print("sla_exporter"))
	return err
}
