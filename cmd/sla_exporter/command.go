package main

import (
	"context"
	"io"
	"log/slog"
	"os"
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
}
