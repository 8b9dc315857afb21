package zabbix

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// Kind is the zabbix source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source syncs the uptime series of one `zabbix:` block.
type Source struct {
	p      *plan
	client *apisource.Client
	logger *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	version *version // asked once, on the first sync that gets it
	// slis are the figures of the SLAs the last successful sync read.
	slis []collector.ToolSLI
}

var (
	_ collector.Source      = (*Source)(nil)
	_ io.Closer             = (*Source)(nil)
	_ apisource.StatsSource = (*Source)(nil)
	_ interface {
		ToolSLIs() []collector.ToolSLI
	} = (*Source)(nil)
)

// New decodes a `zabbix:` block strictly and validates it. It neither connects to Zabbix nor
// reads token_file, so that a configuration can be checked before the file exists.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	return newSource(node, opts, apisource.Hooks{})
}

func newSource(node *yaml.Node, opts collector.Options, hooks apisource.Hooks) (*Source, error) {
	p, err := compile(node, opts)
	if err != nil {
		return nil, err
	}
	opts = apisource.WithDefaults(opts)
	return &Source{p: p, client: apisource.NewClient(p.api, opts, hooks), logger: opts.Logger, now: opts.Now}, nil
}

// Close drops idle connections.
func (s *Source) Close() error { return s.client.Close() }

// APIStats returns the source's request counters.
func (s *Source) APIStats() apisource.Stats { return s.client.Stats() }

// ToolSLIs returns the figures of the configured SLAs (slas) the last successful sync read:
// Zabbix's own SLI of each series' service over the SLA's current and previous periods, which
// the evaluation compares with the objectives on the series.
func (s *Source) ToolSLIs() []collector.ToolSLI {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.slis)
}

// checkpoint is where the next sync resumes.
type checkpoint struct {
	V int `json:"v"`
	// Selections is the fingerprint of the series' selections: a checkpoint of other ones is
	// a first sync again, so that a new or changed series is backfilled.
	Selections string `json:"selections"`
	// Origin is where the coverage starts (the first sync's backfill); Until the last sync's
	// end, Unix seconds.
	Origin int64 `json:"origin"`
	Until  int64 `json:"until"`
}

// fingerprint hashes the selections.
func fingerprint(sels []selection) []byte {
	h := sha256.New()
	for _, s := range sels {
		fmt.Fprintf(h, "%q %v %q %q %q %v %q %v %v\n", s.name, s.perHost, s.hosts, s.groups, s.triggerIDs, s.tags, s.service, s.severities, s.degraded)
	}
	return h.Sum(nil)[:8]
}

// Sync reads, for every series, the problems that were ongoing at some time since the last
// sync's end less the overlap (since now less backfill on a first sync), and returns them as
// outages over that coverage, with the maintenance of the series' hosts.
func (s *Source) Sync(ctx context.Context, cpData []byte) (collector.Batch, error) {
	now := s.now().Truncate(time.Second)
	cp := checkpoint{V: 1, Selections: s.p.fingerprint, Origin: now.Add(-s.p.backfill).Unix()}
	from := time.Unix(cp.Origin, 0)
	if len(cpData) > 0 {
		var prev checkpoint
		if err := json.Unmarshal(cpData, &prev); err != nil {
			return collector.Batch{}, fmt.Errorf("checkpoint: %w", err)
		}
		if prev.V == 1 && prev.Selections == s.p.fingerprint && prev.Until > 0 {
			cp.Origin = prev.Origin
			// After a long stop, no more than backfill again: the time between is not covered.
			from = time.Unix(max(prev.Until-int64(s.p.api.Overlap/time.Second), now.Add(-s.p.backfill).Unix()), 0)
		}
	}
	if !from.Before(now) {
		from = now.Add(-time.Second)
	}
	cp.Until = now.Unix()

	c, err := s.connect(ctx)
	if err != nil {
		return collector.Batch{}, err
	}
	sc, rejected, err := c.scope(s.p.series)
	if err != nil {
		return collector.Batch{}, err
	}
	timelines, serviceIDs, rj, err := c.services(s.p.series, now.Add(-s.p.backfill), now)
	if err != nil {
		return collector.Batch{}, err
	}
	rejected = append(rejected, rj...)
	slis, rj, err := c.toolSLIs(s.p.slas, serviceIDs, now)
	if err != nil {
		return collector.Batch{}, err
	}
	rejected = append(rejected, rj...)
	var (
		out   []collector.UptimeSeries
		hosts = map[string][]string{} // series → its hosts, for maintenance
		seen  = map[string]int{}      // series → the index of the entry making it
	)
	for i := range s.p.series {
		sel := &s.p.series[i]
		if sel.service != "" {
			ps, ok := timelines[sel.service]
			if !ok {
				continue // rejected
			}
			seen[sel.name] = sel.index
			out = append(out, collector.UptimeSeries{Series: sel.name, Outages: outages(bySeverity(ps, sel.severities), sel.degraded, now),
				CoveredFrom: from, CoveredTo: now})
			continue
		}
		ids, ok := sc.selected[sel.index]
		if !ok {
			continue // the selection names hosts, none of which exists: rejected
		}
		ps, rj, err := c.problems(sel, ids, from, now, s.p.api.PageSize)
		if err != nil {
			return collector.Batch{}, err
		}
		rejected = append(rejected, rj...)
		type part struct {
			name  string
			hosts []string
			ps    []problem
		}
		var parts []part
		if sel.perHost {
			for _, id := range ids {
				name := sc.hostName[id]
				if sel.name != "" {
					name = sel.name + "/" + name
				}
				pt := part{name: name, hosts: []string{id}}
				for _, p := range ps {
					if slices.Contains(p.hosts, id) {
						pt.ps = append(pt.ps, p)
					}
				}
				parts = append(parts, pt)
			}
		} else {
			parts = []part{{name: sel.name, hosts: ids, ps: ps}}
		}
		for _, pt := range parts {
			if j, dup := seen[pt.name]; dup {
				return collector.Batch{}, fmt.Errorf("series %q is made by series[%d] and series[%d] of the configuration: give one of them a name (a prefix with per_host)", pt.name, j, sel.index)
			}
			seen[pt.name] = sel.index
			hosts[pt.name] = pt.hosts
			out = append(out, collector.UptimeSeries{Series: pt.name, Outages: outages(pt.ps, sel.degraded, now),
				CoveredFrom: from, CoveredTo: now})
		}
	}
	if s.p.maintenance {
		lo := max(cp.Origin, now.Add(-s.p.backfill).Unix())
		if err := c.addMaintenance(out, hosts, sc, s.p.loc, lo, now); err != nil {
			return collector.Batch{}, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Series < out[j].Series })
	data, err := json.Marshal(cp)
	if err != nil {
		return collector.Batch{}, err
	}
	s.mu.Lock()
	s.slis = slis
	s.mu.Unlock()
	s.logger.Debug("zabbix sync", "from", from, "to", now, "series", len(out), "sla_figures", len(slis), "requests", c.s.Requests(), "rejected", len(rejected))
	return collector.Batch{Uptime: out, Rejected: rejected, Checkpoint: data}, nil
}

// connect starts the sync's session: the token read, and the API's version asked once.
func (s *Source) connect(ctx context.Context) (*conn, error) {
	c := &conn{s: s.client.Session(ctx), api: s.p.api}
	if s.p.tokenFile != "" {
		tok, err := readToken(s.p.tokenFile)
		if err != nil {
			return nil, err
		}
		c.token = tok
	}
	s.mu.Lock()
	v := s.version
	s.mu.Unlock()
	if v == nil {
		var raw string
		if err := c.call("apiinfo.version", []any{}, &raw); err != nil {
			return nil, err
		}
		got, err := parseVersion(raw)
		if err != nil {
			return nil, err
		}
		if !got.atLeast(6, 0) {
			return nil, fmt.Errorf("apiinfo.version: Zabbix %s is older than 6.0, the first version with API tokens", got)
		}
		s.mu.Lock()
		s.version = &got
		s.mu.Unlock()
		v = &got
	}
	c.version = *v
	return c, nil
}

// scope is what the selections' names resolve to.
type scope struct {
	// selected holds each selection's host ids, by selection index: nil for a selection
	// without hosts or host groups (every host), absent for one whose hosts do not exist.
	selected map[int][]string
	hostName map[string]string
	// hostGroups holds each selected host's group ids.
	hostGroups map[string][]string
}

// groupsKey is the name of host.get's and maintenance.get's host groups, which 6.2 renamed.
func (c *conn) groupsKey() (param string) {
	if c.version.atLeast(6, 2) {
		return "selectHostGroups"
	}
	return "selectGroups"
}

// scope resolves the host and host group names of the selections into ids: hostgroup.get and
// host.get, once each for all the selections.
func (c *conn) scope(sels []selection) (*scope, []collector.Rejection, error) {
	sc := &scope{selected: map[int][]string{}, hostName: map[string]string{}, hostGroups: map[string][]string{}}
	var hostNames, groupNames []string
	for _, s := range sels {
		hostNames = append(hostNames, s.hosts...)
		groupNames = append(groupNames, s.groups...)
	}
	slices.Sort(hostNames)
	slices.Sort(groupNames)
	hostNames, groupNames = slices.Compact(hostNames), slices.Compact(groupNames)

	groupID := map[string]string{}
	if len(groupNames) > 0 {
		var gs []group
		if err := c.call("hostgroup.get", map[string]any{"output": []string{"groupid", "name"}, "filter": map[string]any{"name": groupNames}}, &gs); err != nil {
			return nil, nil, err
		}
		for _, g := range gs {
			groupID[g.Name] = string(g.GroupID)
		}
	}
	byName := map[string]string{}
	members := map[string][]string{} // group id → host ids
	addHosts := func(hs []host) {
		for _, h := range hs {
			id := string(h.HostID)
			sc.hostName[id] = h.Host
			byName[h.Host] = id
			gs := h.Groups
			if len(h.HostGroups) > 0 {
				gs = h.HostGroups
			}
			for _, g := range gs {
				gid := string(g.GroupID)
				if !slices.Contains(sc.hostGroups[id], gid) {
					sc.hostGroups[id] = append(sc.hostGroups[id], gid)
					members[gid] = append(members[gid], id)
				}
			}
		}
	}
	if len(hostNames) > 0 {
		var hs []host
		if err := c.call("host.get", map[string]any{"output": []string{"hostid", "host"}, "filter": map[string]any{"host": hostNames},
			c.groupsKey(): []string{"groupid"}}, &hs); err != nil {
			return nil, nil, err
		}
		addHosts(hs)
	}
	var gids []string
	for _, n := range groupNames {
		if id, ok := groupID[n]; ok {
			gids = append(gids, id)
		}
	}
	if len(gids) > 0 {
		var hs []host
		if err := c.call("host.get", map[string]any{"output": []string{"hostid", "host"}, "groupids": gids,
			c.groupsKey(): []string{"groupid"}}, &hs); err != nil {
			return nil, nil, err
		}
		addHosts(hs)
	}

	var rejected []collector.Rejection
	for _, s := range sels {
		at := fmt.Sprintf("zabbix.series[%d]", s.index)
		if s.service != "" {
			continue
		}
		if len(s.hosts) == 0 && len(s.groups) == 0 {
			sc.selected[s.index] = nil
			continue
		}
		var ids []string
		before := len(rejected)
		for _, n := range s.hosts {
			id, ok := byName[n]
			if !ok {
				rejected = append(rejected, collector.Rejection{Where: fmt.Sprintf("host %q", n), Setting: at + ".hosts",
					Reason: fmt.Sprintf("no host %q in Zabbix (or the token's user may not read it)", n), Rule: "a host of hosts is not in Zabbix", Setup: true})
				continue
			}
			ids = append(ids, id)
		}
		for _, n := range s.groups {
			gid, ok := groupID[n]
			if !ok {
				rejected = append(rejected, collector.Rejection{Where: fmt.Sprintf("host group %q", n), Setting: at + ".host_groups",
					Reason: fmt.Sprintf("no host group %q in Zabbix (or the token's user may not read it)", n), Rule: "a group of host_groups is not in Zabbix", Setup: true})
				continue
			}
			ids = append(ids, members[gid]...)
		}
		slices.SortFunc(ids, compareIDs)
		ids = slices.Compact(ids)
		if len(ids) == 0 && len(rejected) > before {
			continue // its names are rejected already
		}
		if len(ids) == 0 {
			name := s.name
			if name == "" {
				name = "per_host"
			}
			rejected = append(rejected, collector.Rejection{Where: fmt.Sprintf("series %q", name), Setting: at,
				Reason: "its hosts and host groups hold no host Zabbix knows: the series is not made", Rule: "a series selects no host", Setup: true})
			continue
		}
		sc.selected[s.index] = ids
	}
	return sc, rejected, nil
}

// compareIDs orders numeric ids by value.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// addMaintenance reads the maintenance of the series' hosts (maintenance.get) and adds to each
// series the windows of the maintenances covering all its hosts, within the last backfill (and
// since the coverage's origin). A maintenance with problem tags is left out: it hides some
// problems of its hosts, not their time.
func (c *conn) addMaintenance(out []collector.UptimeSeries, hosts map[string][]string, sc *scope, loc *time.Location, lo int64, now time.Time) error {
	if !slices.ContainsFunc(out, func(us collector.UptimeSeries) bool { return len(hosts[us.Series]) > 0 }) {
		return nil // no series has hosts to be in maintenance
	}
	var ms []maintenance
	// Not filtered by hostids: for a super admin's token Zabbix 6.0 matches them through host
	// groups, for others only the hosts named in the maintenance (CMaintenance::get).
	params := map[string]any{"output": []string{"maintenanceid", "name", "active_since", "active_till"},
		"selectTimeperiods": "extend", "selectHosts": []string{"hostid"}, c.groupsKey(): []string{"groupid"},
		"selectTags": "extend", "sortfield": "maintenanceid"}
	if err := c.call("maintenance.get", params, &ms); err != nil {
		return err
	}
	z := zone{loc}
	hi := now.Unix()
	runs := make([][]span, len(ms))
	for i, m := range ms {
		if len(m.Tags) > 0 {
			continue
		}
		var err error
		if runs[i], err = m.runsFrom(z, lo, hi); err != nil {
			return fmt.Errorf("maintenance.get: maintenance %q (%s): %v", clip(m.Name), m.MaintenanceID, err)
		}
	}
	for k := range out {
		us := &out[k]
		hs := hosts[us.Series]
		if len(hs) == 0 {
			continue
		}
		var spans []span
		for i, m := range ms {
			if len(runs[i]) > 0 && m.coversAll(hs, sc.hostGroups) {
				spans = append(spans, runs[i]...)
			}
		}
		for _, sp := range merge(spans) {
			us.Maintenance = append(us.Maintenance, availability.Window{Start: time.Unix(sp.from, 0), End: time.Unix(sp.to, 0)})
		}
	}
	return nil
}

// runsFrom is runs over [lo, hi), lo moved back while a run starts at it, so that a window
// reaching back before lo keeps its true start (the store replaces a window by its start).
func (m maintenance) runsFrom(z zone, lo, hi int64) ([]span, error) {
	const step = 7 * secPerDay
	for back := 0; ; back++ {
		spans, err := m.runs(z, lo, hi)
		if err != nil || len(spans) == 0 || spans[0].from > lo || back == 60 {
			return spans, err
		}
		lo -= step
	}
}

// coversAll says whether the maintenance covers every one of the hosts, directly or through
// one of their groups.
func (m maintenance) coversAll(hosts []string, groups map[string][]string) bool {
	gs := m.Groups
	if len(m.HostGroups) > 0 {
		gs = m.HostGroups
	}
	for _, h := range hosts {
		covered := slices.ContainsFunc(m.Hosts, func(r hostRef) bool { return string(r.HostID) == h })
		for _, g := range gs {
			covered = covered || slices.Contains(groups[h], string(g.GroupID))
		}
		if !covered {
			return false
		}
	}
	return true
}
