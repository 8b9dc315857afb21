package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

// shardFlags are --shard.index and --shard.count: which part of the configuration's objectives
// this process serves (config.Config.Shard). Without --shard.count the process serves everything
// and evaluates on the wall clock, as before sharding.
type shardFlags struct {
	index, count *int
	// indexSet says whether --shard.index was given: check then checks that shard's data alone.
	indexSet bool
}

func addShardFlags(c *kingpin.CmdClause) *shardFlags {
	s := &shardFlags{}
	s.count = c.Flag("shard.count", "Number of shards the objectives are split into, by Prometheus' hashmod of their names (an objective of a contract goes by the contract's name). Every replica of every shard runs the same configuration file. Setting it, even to 1, also aligns evaluations to the evaluation interval's boundaries, so that replicas publish identical figures. 0: not sharded.").
		Default("0").Int()
	s.index = c.Flag("shard.index", "This process's shard, 0 to --shard.count - 1.").Default("0").IsSetByUser(&s.indexSet).Int()
	return s
}

// sharded reports whether the flags ask for a shard; its replicas then evaluate aligned.
func (s *shardFlags) sharded() bool { return *s.count > 0 }

// check refuses flags that make no sense, before anything loads.
func (s *shardFlags) check() error {
	switch {
	case *s.count < 0:
		return fmt.Errorf("--shard.count: %d is negative", *s.count)
	case *s.count == 0 && *s.index != 0:
		return fmt.Errorf("--shard.index %d needs --shard.count", *s.index)
	case *s.count > 0 && (*s.index < 0 || *s.index >= *s.count):
		return fmt.Errorf("--shard.index %d: want 0 to %d (--shard.count is %d)", *s.index, *s.count-1, *s.count)
	}
	return nil
}

// apply returns the part of cfg the flags select: cfg itself when not sharded.
func (s *shardFlags) apply(cfg *config.Config) (*config.Config, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if !s.sharded() {
		return cfg, nil
	}
	return cfg.Shard(*s.index, *s.count)
}

// printAssignment writes which shard serves each objective, KPI and contract, and the sources
// each shard syncs: `check --shard.count N`.
func printAssignment(out io.Writer, cfg *config.Config, count int) error {
	a, err := cfg.Assign(count)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "shard assignment (%d shards, hashmod of the name):\n", count)
	row := func(kind string, x config.Assigned) {
		by := ""
		if x.Key != x.Name {
			by = " (with contract " + x.Key + ")"
		}
		fmt.Fprintf(&b, "  shard %d\t%s\t%s%s\n", x.Shard, kind, x.Name, by)
	}
	for _, x := range a.Objectives {
		row("objective", x)
	}
	for _, x := range a.KPIs {
		row("kpi", x)
	}
	for _, x := range a.Contracts {
		row("contract", x)
	}
	for i := range count {
		part, err := cfg.Shard(i, count)
		if err != nil {
			return err
		}
		var names []string
		for _, s := range part.Sources {
			names = append(names, s.Name)
		}
		if len(names) == 0 {
			names = []string{"none"}
		}
		fmt.Fprintf(&b, "  shard %d: %d objectives, %d KPIs, %d contracts; syncs %s\n", i, len(part.Objectives), len(part.KPIs), len(part.Contracts), strings.Join(names, ", "))
	}
	_, err = io.WriteString(out, b.String())
	return err
}
