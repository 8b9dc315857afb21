package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sla-exporter/sla_exporter/dashboards"
)

type dashboardsCmd struct{ out *string }

func newDashboards(app *kingpin.Application) command {
	c := app.Command("dashboards", "Write the Grafana dashboards (JSON, one file each) into a directory for Grafana's file provisioning (deploy/grafana/provisioning).")
	return dashboardsCmd{
		out: c.Flag("out", "Directory to write the dashboards into; created if missing, existing dashboards of the same name are replaced.").Required().String(),
	}
}

func (dashboardsCmd) name() string { return "dashboards" }

// run writes the embedded dashboards. They do not depend on the configuration: they pick
// objectives, KPIs and contracts with template variables over the exporter's metrics.
func (c dashboardsCmd) run(_ context.Context, e env) error {
	if err := os.MkdirAll(*c.out, 0o755); err != nil {
		return fmt.Errorf("could not create the dashboards directory: %w", err)
	}
	for _, name := range dashboards.Names() {
		b, err := fs.ReadFile(dashboards.FS, name)
		if err != nil {
			return err
		}
		path := filepath.Join(*c.out, name)
		if err := writeAtomic(path, b); err != nil {
			return fmt.Errorf("could not write dashboard: %w", err)
		}
		if _, err := fmt.Fprintln(e.stdout, path); err != nil {
			return err
		}
	}
	return nil
}

// writeAtomic replaces path with b through a temporary file and a rename, so Grafana, which
// polls the directory, never reads half a dashboard. The temporary name does not end in .json,
// which Grafana would load.
func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after a successful rename there is nothing left to remove
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	// Grafana, often another user, reads the files; nothing in them is secret.
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
