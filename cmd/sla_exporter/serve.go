package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	webflag "github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/collector/store"
	slaweb "github.com/sla-exporter/sla_exporter/collector/web"
)

// DefaultListenAddress is the exporter's port; the Prometheus default-port registry is full, so
// it lies outside the 9100-9999 range exporters once took their ports from.
const DefaultListenAddress = ":19857"

type serveCmd struct {
	configFile  *string
	configCheck *bool
	storagePath *string
	web         *web.FlagConfig
	requests    *collector.Requests
}

func newServe(app *kingpin.Application, configFile *string) command {
	c := app.Command("serve", "Collect, evaluate and serve the metrics (the default).").Default()
	return &serveCmd{
		configFile:  configFile,
		configCheck: c.Flag("config.check", "Check the configuration and exit, like the check command.").Bool(),
		storagePath: c.Flag("storage.path", "Folder of the database keeping collected records, sync checkpoints and frozen periods.").Default("data").String(),
		web:         webflag.AddFlags(c, DefaultListenAddress),
	}
}

func (*serveCmd) name() string { return "serve" }

func (c *serveCmd) run(ctx context.Context, e env) error {
	if *c.configCheck {
		return checkCmd{c.configFile}.run(ctx, e)
	}
	logger := e.logger
	cfg, isDemo, err := loadConfig(*c.configFile)
	if err != nil {
		return err
	}
	// A broken web configuration (TLS, basic auth) is found before anything starts.
	if err := web.Validate(*c.web.WebConfigFile); err != nil {
		return fmt.Errorf("web configuration %s: %w", *c.web.WebConfigFile, err)
	}
	if isDemo {
		logger.Info("no --config.file given: serving the built-in demo configuration")
	}
	logger.Info("starting sla_exporter", "version", version.Info(), "config", cfg.File)

	db, err := store.Open(*c.storagePath)
	if err != nil {
		return err
	}
	defer db.Close()

	requests := collector.NewRequests()
	c.requests = requests
	runner := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: logger, Requests: requests})
	srcs, err := sourceConfigs(cfg, logger, requests, time.Now)
	if err != nil {
		return err
	}
	if err := runner.Update(srcs); err != nil {
		return err
	}
	expo := collector.NewExposition()
	expo.SetReload(true, time.Now())
	eval := evaluation.New(cfg, evaluation.Options{Data: runner, DB: db, Expo: expo, Logger: logger})

	reg := prometheus.NewRegistry()
	reg.MustRegister(expo, versioncollector.NewCollector("sla_exporter"),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	var reloadMu sync.Mutex
	reload := func() error {
		reloadMu.Lock()
		defer reloadMu.Unlock()
		return c.reload(logger, runner, eval, expo, requests)
	}
	if isDemo {
		reload = nil
	}
	srv := httpServer(slaweb.Handler(slaweb.Options{Registry: reg, Expo: expo, Evaluator: eval, Reload: reload,
		Logger: logger, Version: version.Version, Demo: isDemo, Synced: syncedBy(runner)}), logger)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { runner.Run(ctx) })
	wg.Go(func() { eval.Run(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-e.hup:
				if reload == nil {
					logger.Warn("SIGHUP ignored: the built-in demo configuration cannot be reloaded")
					continue
				}
				reload() // logged inside
			}
		}
	})
	serveErr := make(chan error, 1)
	go func() { serveErr <- web.ListenAndServe(srv, c.web, logger) }()
	served := false
	select {
	case err = <-serveErr:
		served = true
	case <-ctx.Done():
	}
	cancel()
	shutdown, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	if serr := srv.Shutdown(shutdown); serr != nil {
		logger.Warn("HTTP server shutdown", "err", serr)
	}
	if !served {
		// Shutdown makes the server return at once, even when it had not started serving yet.
		<-serveErr
	}
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// httpServer is the server of the HTTP endpoints, with timeouts so that a slow or idle client
// cannot hold a connection (and a goroutine) for ever. The write timeout leaves room for a
// drill-down over a large ticket store. The server's own errors (TLS handshakes, a plain HTTP
// request to the HTTPS port) go to the log like everything else, not to the process's stderr.
func httpServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ErrorLog:          slog.NewLogLogger(logger.With("component", "http").Handler(), slog.LevelWarn),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// reload loads the configuration file again. A configuration that does not load is refused and
// the running one kept; sla_config_last_reload_successful says which happened.
func (c *serveCmd) reload(logger *slog.Logger, runner *collector.Runner, eval *evaluation.Evaluator, expo *collector.Exposition, requests *collector.Requests) error {
	cfg, err := config.LoadFile(*c.configFile)
	if err == nil && cfg.Hash == eval.Config().Hash {
		logger.Info("configuration unchanged", "file", cfg.File)
		expo.SetReload(true, time.Now())
		return nil
	}
	var srcs []collector.SourceConfig
	if err == nil {
		srcs, err = sourceConfigs(cfg, logger, c.requests, time.Now)
	}
	if err == nil {
		err = runner.Update(srcs)
	}
	if err != nil {
		expo.SetReload(false, time.Now())
		logger.Error("configuration refused; the running one is kept", "err", err)
		return fmt.Errorf("configuration refused: %w", err)
	}
	eval.SetConfig(cfg)
	expo.SetReload(true, time.Now())
	logger.Info("configuration reloaded", "file", cfg.File)
	eval.Publish()
	return nil
}

// syncedBy reports whether the evaluation made at by reflects every source's first sync: a source
// that synced successfully must have done so by then (its data changed what is served), one that
// has only failed so far must have tried (a failure changes no data, so any evaluation reflects
// it; waiting for the next one would hold readiness back by an evaluation interval).
func syncedBy(runner *collector.Runner) func(time.Time) bool {
	return func(by time.Time) bool {
		for _, st := range runner.Status() {
			switch {
			case !st.LastSuccess.IsZero():
				if st.LastSuccess.After(by) {
					return false
				}
			case st.LastAttempt.IsZero():
				return false
			}
		}
		return true
	}
}
