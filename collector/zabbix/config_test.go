package zabbix

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

// compileYAML compiles a zabbix block; lines count from 1 at the block's first line.
func compileYAML(t *testing.T, block string) (*plan, error) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(block), &doc); err != nil {
		t.Fatal(err)
	}
	return compile(doc.Content[0], collector.Options{Name: "zabbix", Dir: "/etc/sla"})
}

const okHead = "url: https://zabbix.example.com\ntoken_file: zabbix.token\n"

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, block, want string
	}{
		{"unknown key", okHead + "series: [{name: a, hosts: [h]}]\nreconcile_interval: 1h\n",
			"line 4: reconcile_interval: unknown field (known: url, http_client_config, rate_limit, page_size, max_requests_per_sync, overlap, request_timeout, token_file, backfill, timezone, maintenance, series, slas)"},
		{"no url", "token_file: t\nseries: [{name: a, hosts: [h]}]\n", "line 1: url: is required: the Zabbix frontend's address, such as https://zabbix.example.com"},
		{"credentials in the URL", "url: https://Admin:zabbix@zabbix.example.com\ntoken_file: t\nseries: [{name: a, hosts: [h]}]\n",
			"line 1: url: has user information, a query or a fragment: credentials go in http_client_config, and the base URL is only scheme://host/path"},
		{"no token", "url: https://zabbix.example.com\nseries: [{name: a, hosts: [h]}]\n",
			"line 1: token_file: is required: a file holding a Zabbix API token (Users → API tokens)"},
		{"two tokens", okHead + "http_client_config:\n  authorization: {type: Bearer, credentials_file: t}\nseries: [{name: a, hosts: [h]}]\n",
			"line 2: token_file: and http_client_config.authorization are both set: give the token once"},
		{"no series", okHead, "line 1: series: lists no series: each is a name and the problems that make it down (hosts, host_groups, trigger_ids, tags, or a service)"},
		{"a series without a name", okHead + "series:\n  - hosts: [web1]\n", "line 4: series[0].name: is required (or per_host: true, for a series per host)"},
		{"a series selecting nothing", okHead + "series:\n  - name: all\n", "line 4: series[0]: selects nothing: give hosts, host_groups, trigger_ids, tags or a service (every problem of Zabbix is rarely one service)"},
		{"per host without hosts", okHead + "series:\n  - per_host: true\n    tags: [{tag: a}]\n",
			"line 4: series[0].per_host: needs hosts or host_groups: the series are those hosts'"},
		{"a name twice", okHead + "series:\n  - {name: a, hosts: [h]}\n  - {name: a, hosts: [i]}\n", `line 5: series[1].name: "a" is the name of series[0] too`},
		{"a service with hosts", okHead + "series:\n  - name: a\n    service: Shop\n    hosts: [web1]\n",
			"line 5: series[0].service: is a series of its own: per_host, hosts, host_groups, trigger_ids and tags do not apply to it"},
		{"an empty host", okHead + "series:\n  - name: a\n    hosts: [web1, \" \"]\n", "line 5: series[0].hosts[1]: an empty host name"},
		{"a trigger name for an id", okHead + "series:\n  - name: a\n    trigger_ids: [\"web down\"]\n",
			`line 5: series[0].trigger_ids[0]: "web down" is not a trigger id (a number, as in the trigger's page address)`},
		{"a tag without a name", okHead + "series:\n  - name: a\n    tags: [{value: x}]\n", "line 5: series[0].tags[0].tag: is required"},
		{"an unknown operator", okHead + "series:\n  - name: a\n    tags: [{tag: s, value: x, operator: like}]\n",
			`line 5: series[0].tags[0].operator: unknown operator "like" (want one of contains, equals, exists, not_contains, not_equals, not_exists)`},
		{"a value with exists", okHead + "series:\n  - name: a\n    tags: [{tag: s, value: x, operator: exists}]\n",
			"line 5: series[0].tags[0].value: is not used with operator exists"},
		{"an unknown severity", okHead + "series:\n  - name: a\n    hosts: [h]\n    severities: [critical]\n",
			`line 6: series[0].severities[0]: unknown severity "critical" (want one of not_classified, information, warning, average, high, disaster)`},
		{"a degraded severity not read", okHead + "series:\n  - name: a\n    hosts: [h]\n    severities: [high, disaster]\n    degraded_severities: [warning]\n",
			"line 7: series[0].degraded_severities[0]: warning is not one of severities, so no problem of it is read"},
		{"backfill too long", okHead + "backfill: 500d\nseries: [{name: a, hosts: [h]}]\n", "line 3: backfill: 500d is not between 1h and 400d"},
		{"unknown zone", okHead + "timezone: Europe/Milano\nseries: [{name: a, hosts: [h]}]\n",
			`line 3: timezone: unknown time zone "Europe/Milano" (an IANA name such as Europe/Rome)`},
		{"overlap under a second", okHead + "overlap: 1500ms\nseries: [{name: a, hosts: [h]}]\n",
			"line 3: overlap: 1s500ms is not a whole number of seconds (Zabbix dates events to the second)"},
		{"page too big", okHead + "page_size: 20000\nseries: [{name: a, hosts: [h]}]\n",
			"line 3: page_size: 20000 is not between 1 and 10000, the most the API returns per page"},
		{"an SLA without a name", okHead + svcSeries + "slas:\n  - series: db\n", "line 7: slas[0].name: is required: the SLA's name in Zabbix (Services → SLA)"},
		{"an SLA without a series", okHead + svcSeries + "slas:\n  - name: DB SLA\n", "line 7: slas[0].series: is required: the series of this source made of the SLA's service"},
		{"an SLA of an unknown series", okHead + svcSeries + "slas:\n  - {name: DB SLA, series: web}\n",
			`line 7: slas[0].series: "web" is not a series of this source (its service series: db)`},
		{"an SLA in a source without services", okHead + "series: [{name: web, hosts: [web1]}]\nslas:\n  - {name: Shop SLA, series: shop}\n",
			`line 5: slas[0].series: "shop" is not a series of this source, which has no service series (service:): Zabbix computes SLAs of services only`},
		{"an SLA of a host series", okHead + svcSeries + "  - {name: web, hosts: [web1]}\nslas:\n  - name: Web SLA\n    series: web\n",
			`line 9: slas[0].series: "web" is not made of a service (service:): Zabbix computes SLAs of services only`},
		{"two SLAs of one series", okHead + svcSeries + "slas:\n  - {name: DB SLA, series: db}\n  - {name: DB weekly, series: db}\n",
			`line 8: slas[1].series: "db" is read from slas[0] already: one SLA per series, so that each objective has one figure of the tool per period`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compileYAML(t, tc.block)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error:\n got %v\nwant %s", err, tc.want)
			}
		})
	}
}

// svcSeries is a series block with one service series, db, on lines 3 to 5 (after okHead).
const svcSeries = "series:\n  - name: db\n    service: DB service\n"

func TestConfigCompiled(t *testing.T) {
	p, err := compileYAML(t, `url: https://example.com/zabbix/api_jsonrpc.php
token_file: secrets/zabbix.token
series:
  - name: shop
    host_groups: [Web, Web]
    hosts: [lb1]
    severities: [high, warning, High]
    degraded_severities: [warning]
    tags:
      - {tag: service, value: shop}
      - {tag: env}
      - {tag: team, value: web, operator: contains}
  - per_host: true
    hosts: [db1]
`)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.api.Base.String(); got != "https://example.com/zabbix/" {
		t.Errorf("base %s", got)
	}
	if p.tokenFile != "/etc/sla/secrets/zabbix.token" || p.backfill != DefaultBackfill || p.loc != time.UTC || !p.maintenance {
		t.Errorf("token file %s, backfill %s, zone %s, maintenance %v", p.tokenFile, p.backfill, p.loc, p.maintenance)
	}
	want := []selection{
		{index: 0, name: "shop", hosts: []string{"lb1"}, groups: []string{"Web"}, severities: []int{2, 4},
			degraded: [6]bool{2: true},
			tags:     []tagParam{{Tag: "service", Value: "shop", Operator: 1}, {Tag: "env", Operator: 4}, {Tag: "team", Value: "web", Operator: 0}}},
		{index: 1, perHost: true, hosts: []string{"db1"}},
	}
	if diff := cmp.Diff(want, p.series, cmp.AllowUnexported(selection{})); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
}
