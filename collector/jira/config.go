package jira

import (
	"errors"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Config is the `jira:` block of a source. docs/configuration.md documents it too; keep the two
// in step.
type Config struct {
	// The keys every API source has (collector/apisource): url (the site, such as
	// https://acme.atlassian.net, or a Data Center's base URL with its context path),
	// http_client_config (Cloud: basic_auth with the account's email and an API token in
	// password_file; Data Center: authorization with a personal access token in
	// credentials_file), rate_limit, page_size, max_requests_per_sync, overlap (at least 1m:
	// JQL dates are to the minute), reconcile_interval, request_timeout.
	apisource.Config `yaml:",inline"`
	// Deployment is cloud or data_center: which search API to use. Default: cloud for a site
	// on atlassian.net, else data_center.
	Deployment string `yaml:"deployment"`
	// JQL selects the issues: "project = SUP". Required; no ORDER BY (the source orders).
	JQL string `yaml:"jql"`
	// Timezone is the time zone Jira reads the JQL's dates in: the API user's profile time
	// zone. Unset, it is read from GET /rest/api/{3,2}/myself (timeZone).
	Timezone string `yaml:"timezone"`
	// Priority, Type and Group name the Jira field each comes from: a system field (priority,
	// issuetype, components, project, labels, resolution, assignee, reporter, status) or a
	// custom field (customfield_10010). Defaults: priority, issuetype, none.
	Priority string `yaml:"priority"`
	Type     string `yaml:"type"`
	Group    string `yaml:"group"`
	// Fields maps ticket fields (what objectives select on) to Jira fields as above: the JSM
	// request type and organizations are custom fields (customer: customfield_10002).
	Fields map[string]string `yaml:"fields"`
	// Statuses maps status names to categories; a status not listed takes the category of its
	// Jira status category by StatusCategories.
	Statuses Statuses `yaml:"statuses"`
	// StatusCategories maps Jira's status categories (new, indeterminate, done) to categories.
	// Default: new and indeterminate open, done resolved.
	StatusCategories map[string]string `yaml:"status_categories"`
	// FirstResponse says where the first response is read: a date-time field, or the stop of
	// the first completed cycle of a JSM SLA.
	FirstResponse FirstResponse `yaml:"first_response"`
	// SLAFields are the JSM SLA fields imported as the ticket's native SLA cycles
	// (customfield_10030 ...).
	SLAFields []string `yaml:"sla_fields"`
	// NativeSLAs maps JSM SLA names to the clock each measures: response or resolution.
	NativeSLAs map[string]string `yaml:"native_slas"`
}

// Statuses lists Jira's status names of each category.
type Statuses struct {
	Open      []string `yaml:"open"`
	Paused    []string `yaml:"paused"`
	Resolved  []string `yaml:"resolved"`
	Closed    []string `yaml:"closed"`
	Cancelled []string `yaml:"cancelled"`
}

// FirstResponse is where a ticket's first response is read: the field when the issue has it set,
// else the SLA's first stop.
type FirstResponse struct {
	// Field is a date-time field holding it (Jira's "Date of First Response").
	Field string `yaml:"field"`
	// SLA is a JSM SLA whose first completed cycle stops at the first response ("Time to
	// first response"); its field must be in sla_fields.
	SLA string `yaml:"sla"`
}

// Deployments.
const (
	Cloud      = "cloud"
	DataCenter = "data_center"
)

// defaults are the API keys' defaults. Jira publishes no fixed request budget (Cloud's API-token
// traffic has burst limits, Data Center's limit is opt-in), so the client-side limit is modest;
// the overlap covers the search index's lag behind writes, and is at least the minute a JQL date
// cannot tell apart.
func defaults(deployment string) apisource.Defaults {
	d := apisource.Defaults{
		PageSize:           100,
		MaxRequestsPerSync: 2000,
		Overlap:            5 * time.Minute,
		Reconcile:          24 * time.Hour,
		RequestTimeout:     30 * time.Second,
	}
	if deployment == Cloud {
		// search/jql returns at most 5,000 issues a page (fewer when many fields are asked).
		d.MaxPageSize = 5000
		d.RateLimit = apisource.RateLimit{Requests: 5, Per: model.Duration(time.Second), Burst: 10}
		d.Credentials = "http_client_config.basic_auth (username: the account's email, password_file: a file holding an API token)"
	} else {
		// jira.search.views.default.max, 1,000 unless an administrator changed it.
		d.MaxPageSize = 1000
		d.RateLimit = apisource.RateLimit{Requests: 10, Per: model.Duration(time.Second), Burst: 10}
		d.Credentials = "http_client_config.authorization (type: Bearer, credentials_file: a file holding a personal access token)"
	}
	return d
}

// systemFields are the Jira fields other than custom fields a mapping may name.
var systemFields = []string{"assignee", "components", "issuetype", "labels", "priority", "project", "reporter", "resolution", "status"}

var customField = regexp.MustCompile(`^customfield_[0-9]+$`)

// defaultCategories are the categories of Jira's status categories.
var defaultCategories = map[string]ticket.Category{"new": ticket.Open, "indeterminate": ticket.Open, "done": ticket.Resolved}

// settings is a Config checked.
type settings struct {
	api        *apisource.Settings
	deployment string
	jql        string
	// loc is the configured time zone; nil reads the profile's.
	loc                  *time.Location
	priority, typ, group string
	fields               []fieldMap // sorted by ticket field
	statuses             map[string]ticket.Category
	categories           map[string]ticket.Category
	responseField        string
	responseSLA          string
	slaFields            []string
	clocks               map[string]string // SLA name → clock
	requested            []string          // the fields every search asks for, sorted
}

type fieldMap struct{ field, source string }

var errNoBlock = errors.New("the jira source needs a `jira:` block with at least url and jql")

func compile(node *yaml.Node, opts collector.Options) (*settings, error) {
	s, err := compileBlock(node, opts)
	return s, apisource.ScrubConfigError(node, err)
}

func compileBlock(node *yaml.Node, opts collector.Options) (*settings, error) {
	if node == nil {
		return nil, errNoBlock
	}
	cfg := Config{Config: apisource.Config{HTTPClientConfig: config.DefaultHTTPClientConfig}}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	url := strings.TrimSpace(cfg.URL)
	if url == "" {
		return nil, apisource.Fail(node, []string{"url"}, "is required: the site, such as https://acme.atlassian.net, or a Data Center's base URL")
	}
	s := &settings{deployment: strings.TrimSpace(cfg.Deployment)}
	switch s.deployment {
	case "":
		s.deployment = DataCenter
		if u, err := apisource.BaseURL(node, []string{"url"}, url, ""); err == nil && isCloudHost(u.Hostname()) {
			s.deployment = Cloud
		}
	case Cloud, DataCenter:
	default:
		return nil, apisource.Fail(node, []string{"deployment"}, "%q is not cloud or data_center", cfg.Deployment)
	}
	if o := time.Duration(cfg.Overlap); o != 0 && o < time.Minute {
		return nil, apisource.Fail(node, []string{"overlap"}, "%s is under 1m: JQL dates are to the minute, so each sync must list at least the minute it stopped in again", cfg.Overlap)
	}
	api, err := apisource.Compile(node, &cfg.Config, defaults(s.deployment), "jira", opts)
	if err != nil {
		return nil, err
	}
	s.api = api

	s.jql = strings.TrimSpace(cfg.JQL)
	switch {
	case s.jql == "":
		return nil, apisource.Fail(node, []string{"jql"}, `is required: the JQL that selects the issues, such as "project = SUP"`)
	case strings.ContainsAny(s.jql, "\x00\r\n"):
		return nil, apisource.Fail(node, []string{"jql"}, "holds a line break or NUL")
	case orderBy.MatchString(s.jql):
		return nil, apisource.Fail(node, []string{"jql"}, "has an ORDER BY: the source orders the search itself (by updated, then by id)")
	}
	if tz := strings.TrimSpace(cfg.Timezone); tz != "" {
		if s.loc, err = time.LoadLocation(tz); err != nil {
			return nil, apisource.Fail(node, []string{"timezone"}, "unknown time zone %q (an IANA name such as Europe/Berlin, as the user's Jira profile shows it)", tz)
		}
	}

	field := func(key []string, v, def string) (string, error) {
		v = strings.TrimSpace(v)
		if v == "" {
			return def, nil
		}
		if !slices.Contains(systemFields, v) && !customField.MatchString(v) {
			return "", apisource.Fail(node, key, "%q is not a Jira field this source reads (%s, or customfield_NNNNN)", v, strings.Join(systemFields, ", "))
		}
		return v, nil
	}
	if s.priority, err = field([]string{"priority"}, cfg.Priority, "priority"); err != nil {
		return nil, err
	}
	if s.typ, err = field([]string{"type"}, cfg.Type, "issuetype"); err != nil {
		return nil, err
	}
	if s.group, err = field([]string{"group"}, cfg.Group, ""); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Fields)) {
		if strings.TrimSpace(name) == "" {
			return nil, apisource.Fail(node, []string{"fields"}, "an empty ticket field name")
		}
		src, err := field([]string{"fields", name}, cfg.Fields[name], "")
		if err != nil {
			return nil, err
		}
		if src == "" {
			return nil, apisource.Fail(node, []string{"fields", name}, "names no Jira field")
		}
		s.fields = append(s.fields, fieldMap{field: name, source: src})
	}

	if err := s.compileStatuses(node, &cfg); err != nil {
		return nil, err
	}

	fr := cfg.FirstResponse
	if fr.Field != "" {
		if s.responseField, err = field([]string{"first_response", "field"}, fr.Field, ""); err != nil {
			return nil, err
		}
	}
	if fr.SLA != "" {
		s.responseSLA = strings.TrimSpace(fr.SLA)
		if len(cfg.SLAFields) == 0 {
			return nil, apisource.Fail(node, []string{"first_response", "sla"}, "needs the SLA's field in sla_fields")
		}
	}

	for i, f := range cfg.SLAFields {
		f = strings.TrimSpace(f)
		switch {
		case !customField.MatchString(f):
			return nil, apisource.Fail(node, []string{"sla_fields"}, "entry %d: %q is not a custom field id (customfield_NNNNN: Jira's field list, GET /rest/api/3/field, names the SLA fields)", i+1, f)
		case slices.Contains(s.slaFields, f):
			return nil, apisource.Fail(node, []string{"sla_fields"}, "entry %d: %s is listed twice", i+1, f)
		}
		s.slaFields = append(s.slaFields, f)
	}
	s.clocks = map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(cfg.NativeSLAs)) {
		clock := strings.TrimSpace(cfg.NativeSLAs[name])
		if clock != "response" && clock != "resolution" {
			return nil, apisource.Fail(node, []string{"native_slas", name}, "%q is not response or resolution", clock)
		}
		s.clocks[strings.TrimSpace(name)] = clock
	}
	if len(s.clocks) > 0 && len(s.slaFields) == 0 {
		return nil, apisource.Fail(node, []string{"native_slas"}, "maps SLA names, but sla_fields lists no SLA field to read them from")
	}
	s.requested = s.requestedFields()
	return s, nil
}

// orderBy finds an ORDER BY clause in a JQL.
var orderBy = regexp.MustCompile(`(?i)\border\s+by\b`)

// isCloudHost says whether a host is Jira Cloud's: a site on atlassian.net, or the API gateway
// that OAuth 2.0 apps call (api.atlassian.com/ex/jira/{cloudid}).
func isCloudHost(host string) bool {
	host = strings.ToLower(host)
	return strings.HasSuffix(host, ".atlassian.net") || host == "api.atlassian.com"
}

func (s *settings) compileStatuses(node *yaml.Node, cfg *Config) error {
	s.statuses = map[string]ticket.Category{}
	for _, g := range []struct {
		key   string
		names []string
		cat   ticket.Category
	}{
		{"open", cfg.Statuses.Open, ticket.Open}, {"paused", cfg.Statuses.Paused, ticket.Paused},
		{"resolved", cfg.Statuses.Resolved, ticket.Resolved}, {"closed", cfg.Statuses.Closed, ticket.Closed},
		{"cancelled", cfg.Statuses.Cancelled, ticket.Cancelled},
	} {
		for i, n := range g.names {
			k := strings.ToLower(strings.TrimSpace(n))
			if k == "" {
				return apisource.Fail(node, []string{"statuses", g.key}, "entry %d is an empty status name", i+1)
			}
			if prev, dup := s.statuses[k]; dup {
				return apisource.Fail(node, []string{"statuses", g.key}, "status %q is listed under %s too", n, prev)
			}
			s.statuses[k] = g.cat
		}
	}
	s.categories = maps.Clone(defaultCategories)
	for _, key := range slices.Sorted(maps.Keys(cfg.StatusCategories)) {
		if _, ok := defaultCategories[key]; !ok {
			return apisource.Fail(node, []string{"status_categories", key}, "%q is not a Jira status category (new, indeterminate, done)", key)
		}
		c, err := ticket.ParseCategory(strings.TrimSpace(cfg.StatusCategories[key]))
		if err != nil {
			return apisource.Fail(node, []string{"status_categories", key}, "%v", err)
		}
		s.categories[key] = c
	}
	return nil
}

// requestedFields are the fields every search asks for: without a fields list the Cloud search
// returns only the id.
func (s *settings) requestedFields() []string {
	set := map[string]bool{"created": true, "updated": true, "status": true, fieldTimeSpent: true}
	for _, f := range []string{s.priority, s.typ, s.group, s.responseField} {
		if f != "" {
			set[f] = true
		}
	}
	for _, f := range s.fields {
		set[f.source] = true
	}
	for _, f := range s.slaFields {
		set[f] = true
	}
	return slices.Sorted(maps.Keys(set))
}
