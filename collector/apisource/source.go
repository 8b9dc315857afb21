package apisource

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// Source is the wiring every kind on the Driver shares: its client and its driver. A kind's
// source embeds it and adds only what is its own (redmine's checkpoint fingerprint).
type Source[T any] struct {
	client *Client
	driver *Driver[T]
}

var (
	_ collector.Source = (*Source[struct{}])(nil)
	_ io.Closer        = (*Source[struct{}])(nil)
	_ StatsSource      = (*Source[struct{}])(nil)
)

// NewSource builds the source of settings with kind's endpoints. It makes no request. opts is
// taken through WithDefaults, so that the client and the driver share one clock and logger.
func NewSource[T any](settings *Settings, kind Kind[T], opts collector.Options, hooks Hooks) *Source[T] {
	opts = WithDefaults(opts)
	client := NewClient(settings, opts, hooks)
	return &Source[T]{client: client,
		driver: &Driver[T]{Settings: settings, Client: client, Kind: kind, Logger: opts.Logger, Now: opts.Now}}
}

// WithDefaults fills opts.Logger (discarding) and opts.Now (time.Now) when unset. NewSource
// applies it; a kind calls it too when its endpoints need the clock (redmine's dates), so that
// they read the same one as the driver.
func WithDefaults(opts collector.Options) collector.Options {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return opts
}

// Sync runs the driver: the entries updated since the checkpoint, and every reconcile interval
// the ids in scope (Driver.Sync).
func (s *Source[T]) Sync(ctx context.Context, checkpoint []byte) (collector.Batch, error) {
	return s.driver.Sync(ctx, checkpoint)
}

// Close drops idle connections.
func (s *Source[T]) Close() error { return s.client.Close() }

// APIStats returns the source's counters.
func (s *Source[T]) APIStats() Stats { return s.client.Stats() }

// Client is the source's client, for a kind's requests outside the driver (its tests of one
// endpoint).
func (s *Source[T]) Client() *Client { return s.client }
