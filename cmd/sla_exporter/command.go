package main

import (
	"context"
	"io"
	"log/slog"
	"os"

	"github.com/sla-exporter/sla_exporter/collector/pdf"
)

// command is one subcommand: it declares its flags on creation and runs when chosen.
type command interface {
	name() string
	run(ctx context.Context, e env) error
}

// env is what a subcommand gets from the process.
type env struct {
	stdout, stderr io.Writer
	logger         *slog.Logger
	hup            <-chan os.Signal
	// pdf prints reports to PDF with the browser --report.chromium-path names, or the one
	// installed.
	pdf *pdf.Printer
}
