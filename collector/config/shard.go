package config

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// HashMod is the shard of a name among count shards, computed as Prometheus' hashmod relabel
// action computes it: the MD5 sum of the name, its last eight bytes read as a big-endian
// unsigned integer, modulo count. A relabel rule with action hashmod, modulus count and the
// objective label as source yields the same number, so Prometheus and the exporter agree on which
// shard serves an objective. count must be positive.
func HashMod(name string, count int) int {
	sum := md5.Sum([]byte(name))
	// MD5 is no security here: it is the hash Prometheus uses, and the point is to match it.
	return int(binary.BigEndian.Uint64(sum[8:]) % uint64(count))
}

// Assignment says which shard serves each objective, KPI and contract, and why.
type Assignment struct {
	Count int
	// Objectives, KPIs and Contracts list every one of the configuration's, in file order.
	Objectives []Assigned
	KPIs       []Assigned
	Contracts  []Assigned
}

// Assigned is the shard of one objective, KPI or contract.
type Assigned struct {
	Name string
	// Key is the name hashed: the item's own name, or for an objective of a contract the
	// contract's (see ShardKeys).
	Key   string
	Shard int
}

// Assign assigns the configuration's objectives, KPIs and contracts to count shards. A KPI is
// assigned by its name and an objective by its name, except an objective a contract groups: it
// goes with its contract, which needs the figures of all its objectives in one process to compute
// a credit. Contracts that share an objective go together, by the first of their names in
// lexical order, so the assignment does not change when the file is reordered.
func (c *Config) Assign(count int) (Assignment, error) {
	if count < 1 {
		return Assignment{}, fmt.Errorf("shard count %d: want at least 1", count)
	}
	objKey, contractKey := c.shardKeys()
	a := Assignment{Count: count}
	for _, o := range c.Objectives {
		a.Objectives = append(a.Objectives, Assigned{Name: o.Name, Key: objKey[o.Name], Shard: HashMod(objKey[o.Name], count)})
	}
	for _, k := range c.KPIs {
		a.KPIs = append(a.KPIs, Assigned{Name: k.Spec.Name, Key: k.Spec.Name, Shard: HashMod(k.Spec.Name, count)})
	}
	for _, k := range c.Contracts {
		key := contractKey[k.Spec.Name]
		a.Contracts = append(a.Contracts, Assigned{Name: k.Spec.Name, Key: key, Shard: HashMod(key, count)})
	}
	return a, nil
}

// shardKeys returns the name each objective and contract is hashed by. Contracts linked through
// a shared objective form one group (union-find over the contracts), keyed by its least name.
func (c *Config) shardKeys() (objective, contract map[string]string) {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if parent[x] == x {
			return x
		}
		root := find(parent[x])
		parent[x] = root
		return root
	}
	union := func(x, y string) {
		rx, ry := find(x), find(y)
		// The least name is the root, so a group's key is its least contract name.
		if ry < rx {
			rx, ry = ry, rx
		}
		parent[ry] = rx
	}
	firstContract := map[string]string{} // objective → a contract holding it
	for _, k := range c.Contracts {
		parent[k.Spec.Name] = k.Spec.Name
	}
	for _, k := range c.Contracts {
		for _, o := range k.Objectives {
			if other, ok := firstContract[o]; ok {
				union(other, k.Spec.Name)
			} else {
				firstContract[o] = k.Spec.Name
			}
		}
	}
	objective = make(map[string]string, len(c.Objectives))
	for _, o := range c.Objectives {
		objective[o.Name] = o.Name
		if k, ok := firstContract[o.Name]; ok {
			objective[o.Name] = find(k)
		}
	}
	contract = make(map[string]string, len(c.Contracts))
	for _, k := range c.Contracts {
		contract[k.Spec.Name] = find(k.Spec.Name)
	}
	return objective, contract
}

// Shard returns the part of the configuration shard index of count serves: its objectives, KPIs
// and contracts (Assign), and only the sources they read, so that a shard syncs nothing it does
// not evaluate. Scheduled reports are left out: a shard's report would cover a part of the
// objectives, and each replica would deliver it. The global settings, calendars and services are
// kept whole. The configuration itself is not changed.
func (c *Config) Shard(index, count int) (*Config, error) {
	if count < 1 {
		return nil, fmt.Errorf("--shard.count %d: want at least 1", count)
	}
	if index < 0 || index >= count {
		return nil, fmt.Errorf("--shard.index %d: want 0 to %d (--shard.count is %d)", index, count-1, count)
	}
	a, err := c.Assign(count)
	if err != nil {
		return nil, err
	}
	out := *c
	out.Objectives, out.KPIs, out.Contracts, out.Sources, out.Reports = nil, nil, nil, nil, nil
	out.Warnings = slices.Clone(c.Warnings)
	needed := map[string]bool{}
	for i, o := range c.Objectives {
		if a.Objectives[i].Shard == index {
			out.Objectives = append(out.Objectives, o)
			needed[o.Source] = true
		}
	}
	for i, k := range c.KPIs {
		if a.KPIs[i].Shard == index {
			out.KPIs = append(out.KPIs, k)
			needed[k.Source] = true
		}
	}
	for i, k := range c.Contracts {
		if a.Contracts[i].Shard == index {
			out.Contracts = append(out.Contracts, k)
		}
	}
	for _, s := range c.Sources {
		if needed[s.Name] {
			out.Sources = append(out.Sources, s)
		}
	}
	if len(c.Reports) > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("%s:%d: reports: scheduled reports are not delivered by a shard (each would cover part of the objectives, and every replica would send it): deliver them from an instance without --shard.count",
			c.File, c.Line("reports")))
	}
	if len(out.Objectives)+len(out.KPIs) == 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("shard %d of %d serves no objective and no KPI: there are fewer names than shards, or the hash leaves this one empty", index, count))
	}
	if err := out.checkShard(); err != nil {
		return nil, err
	}
	return &out, nil
}

// checkShard verifies what Shard relies on: every contract's objectives are in the shard.
func (c *Config) checkShard() error {
	have := map[string]bool{}
	for _, o := range c.Objectives {
		have[o.Name] = true
	}
	for _, k := range c.Contracts {
		for _, o := range k.Objectives {
			if !have[o] {
				return errors.New("internal error: contract " + k.Spec.Name + " was assigned without its objective " + o)
			}
		}
	}
	return nil
}
