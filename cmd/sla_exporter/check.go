package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
)

type checkCmd struct {
	configFile *configFlag
	syntaxOnly *bool
	// path is the configuration named after the command (a file or a folder), instead of
	// --config.file; nil or empty when none was.
	path *string
	// shard, when --shard.count is set, prints the shard assignment; with --shard.index the
	// data check reads only that shard's sources.
	shard *shardFlags
}

func newCheck(app *kingpin.Application, configFile *configFlag) command {
	c := app.Command("check", "Check the configuration and the data it names, and exit: 0 when both are sound, 1 with the file, line and field at fault (and the data record) otherwise. Every source is read once, files opened and URLs fetched with their credentials, within the source's timeout.")
	return checkCmd{configFile: configFile,
		syntaxOnly: c.Flag("syntax-only", "Check the configuration file alone, without reading any source (for pipelines without access to the data).").Bool(),
		path:       c.Arg("config", "The configuration to check instead of --config.file's: a file, with the files it includes, or a folder whose *.yml and *.yaml files are one configuration.").String(),
		shard:      addShardFlags(c)}
}

func (checkCmd) name() string { return "check" }

func (c checkCmd) run(ctx context.Context, e env) error {
	if c.shard != nil {
		if err := c.shard.check(); err != nil {
			return err
		}
	}
	configFile := c.configFile
	if c.path != nil && *c.path != "" {
		if configFile.set && configFile.file != *c.path {
			return fmt.Errorf("check %s and --config.file=%s name two configurations: give one", *c.path, configFile.file)
		}
		configFile = &configFlag{file: *c.path, set: true}
	}
	cfg, demo, err := configFile.load()
	if err != nil {
		return err
	}
	name := cfg.File
	if demo {
		name = demoName
	}
	files := ""
	if len(cfg.Files) > 1 {
		files = fmt.Sprintf(" from %d files", len(cfg.Files))
	}
	if _, err := fmt.Fprintf(e.stdout, "%s: configuration OK: %d sources, %d objectives, %d KPIs, %d contracts%s\n",
		name, len(cfg.Sources), len(cfg.Objectives), len(cfg.KPIs), len(cfg.Contracts), files); err != nil {
		return err
	}
	if err := printSeries(e.stdout, name, cfg); err != nil {
		return err
	}
	for _, w := range cfg.Warnings {
		if _, err := fmt.Fprintf(e.stdout, "warning: %s\n", w); err != nil {
			return err
		}
	}
	if c.shard != nil && c.shard.sharded() {
		if err := printAssignment(e.stdout, cfg, *c.shard.count); err != nil {
			return err
		}
		if c.shard.indexSet {
			if cfg, err = c.shard.apply(cfg); err != nil {
				return err
			}
			if _, err := fmt.Fprintf(e.stdout, "shard %d of %d: %d sources, %d objectives, %d KPIs, %d contracts\n",
				*c.shard.index, *c.shard.count, len(cfg.Sources), len(cfg.Objectives), len(cfg.KPIs), len(cfg.Contracts)); err != nil {
				return err
			}
		}
	}
	if c.syntaxOnly != nil && *c.syntaxOnly {
		return nil
	}
	return checkData(ctx, cfg, name, e.stdout)
}

// checkData reads every source once, as the daemon's first sync would, and reports what the
// daemon would refuse or reject: a sync that fails (a missing file, a column not in the header,
// a URL that answers 401), a batch refused by the source's health rules, and records rejected
// because the settings do not fit the data (a date layout, an unmapped status). Records wrong in
// themselves (resolved before created) are listed but are not an error: the daemon counts them
// and goes on.
func checkData(ctx context.Context, cfg *config.Config, name string, out io.Writer) error {
	srcs, err := sourceConfigs(cfg, slog.New(slog.DiscardHandler), nil, time.Now)
	if err != nil {
		return err
	}
	runner := collector.NewRunner(collector.RunnerOptions{Logger: slog.New(slog.DiscardHandler)})
	if err := runner.Update(srcs); err != nil {
		return err
	}
	_ = runner.SyncOnce(ctx) // each source's outcome is in its status
	index := map[string]int{}
	for i, s := range cfg.Sources {
		index[s.Name] = i
	}
	var problems []string
	for _, st := range runner.Status() {
		i := index[st.Name]
		// The source may be written in an included file, as sources[0] of it.
		srcFile, srcLine, field := cfg.Where("sources", i)
		at := fmt.Sprintf("%s:%d: %s %q", srcFile, srcLine, field, st.Name)
		switch st.State {
		case collector.SourceSyncFailed:
			problems = append(problems, fmt.Sprintf("%s: %s", at, st.LastError))
			continue
		case collector.SourceRejecting, collector.SourceShrunk:
			problems = append(problems, fmt.Sprintf("%s: the daemon would refuse this data: %s", at, st.Refusal))
		}
		fmt.Fprintf(out, "%s: read %d records, accepted %d, rejected %d\n", at, st.LastSync.Read, st.LastSync.Accepted, st.LastSync.Rejected)
		for _, r := range st.Reasons {
			line := fmt.Sprintf("  %d × %s (e.g. %s)", r.Count, r.Reason, r.Example)
			if r.Setting != "" {
				path := []any{"sources", i}
				for _, p := range strings.Split(r.Setting, ".") {
					path = append(path, p)
				}
				file, n, _ := cfg.Where(path...)
				line = fmt.Sprintf("  %d × %s, e.g. %s: the data does not fit %s:%d: %s.%s", r.Count, r.Reason, r.Example, file, n, field, r.Setting)
				problems = append(problems, fmt.Sprintf("%s:%d: %s.%s: %s (%d records, e.g. %s)", file, n, field, r.Setting, r.Reason, r.Count, r.Example))
			}
			fmt.Fprintln(out, line)
		}
	}
	if len(problems) > 0 {
		return errors.New("the data does not pass:\n" + strings.Join(problems, "\n"))
	}
	_, err = fmt.Fprintf(out, "%s: data OK\n", name)
	return err
}
