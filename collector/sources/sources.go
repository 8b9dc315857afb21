// Package sources is the table of source kinds compiled into sla_exporter. It sits above the
// kind packages (collector/file, collector/demo ...), which import collector for the Source
// interface, so that collector itself never imports a kind and no cycle forms.
package sources

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/blackbox"
	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/collector/file"
	"github.com/sla-exporter/sla_exporter/collector/gatus"
	"github.com/sla-exporter/sla_exporter/collector/github"
	"github.com/sla-exporter/sla_exporter/collector/gitlab"
	"github.com/sla-exporter/sla_exporter/collector/jira"
	"github.com/sla-exporter/sla_exporter/collector/probe"
	"github.com/sla-exporter/sla_exporter/collector/prometheus"
	"github.com/sla-exporter/sla_exporter/collector/redmine"
	"github.com/sla-exporter/sla_exporter/collector/rt"
	"github.com/sla-exporter/sla_exporter/collector/servicenow"
	"github.com/sla-exporter/sla_exporter/collector/statuspage"
	"github.com/sla-exporter/sla_exporter/collector/uptimekuma"
	"github.com/sla-exporter/sla_exporter/collector/zabbix"
	"github.com/sla-exporter/sla_exporter/collector/zendesk"
)

// Kinds maps the `type:` of a source in the configuration to its kind. The set is closed and
// greppable on purpose: a kind is added by writing its package and one line here, with no init()
// side effects.
var Kinds = map[string]collector.Kind{
	// One line per kind, sorted by name.
	"blackbox":    blackbox.Kind,
	"demo":        demo.Kind,
	"file":        file.Kind,
	"gatus":       gatus.Kind,
	"github":      github.Kind,
	"gitlab":      gitlab.Kind,
	"jira":        jira.Kind,
	"probe":       probe.Kind,
	"prometheus":  prometheus.Kind,
	"redmine":     redmine.Kind,
	"rt":          rt.Kind,
	"servicenow":  servicenow.Kind,
	"statuspage":  statuspage.Kind,
	"uptime_kuma": uptimekuma.Kind,
	"zabbix":      zabbix.Kind,
	"zendesk":     zendesk.Kind,
}

// Lookup returns the kind registered under name. The error lists the known kinds, since a typo
// in `type:` is the usual cause.
func Lookup(name string) (collector.Kind, error) {
	if k, ok := Kinds[name]; ok {
		return k, nil
	}
	if len(Kinds) == 0 {
		return collector.Kind{}, fmt.Errorf("unknown source type %q (no source types are compiled in)", name)
	}
	return collector.Kind{}, fmt.Errorf("unknown source type %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Names lists the registered kinds, sorted.
func Names() []string {
	names := make([]string, 0, len(Kinds))
	for n := range Kinds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
