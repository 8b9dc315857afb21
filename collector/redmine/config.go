package redmine

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Config is the `redmine:` block of a source. docs/configuration.md documents every key; keep the
// two in step.
type Config struct {
	// The keys every API source has: url (required: Redmine's base URL, as
	// https://redmine.example.com, or with the path Redmine is served under), http_client_config
	// (the API key in http_headers as X-Redmine-API-Key, from a file or as a secret; or
	// basic_auth), rate_limit (default none: Redmine has no limit of its own), page_size (1 to
	// 100, Redmine's cap; default 100), max_requests_per_sync (default 1000), overlap (default
	// 2m), reconcile_interval (default 24h), request_timeout (default 30s).
	apisource.Config `yaml:",inline"`
	// Projects are the identifiers (or numeric ids) of the projects whose issues are read. Redmine
	// includes the issues of their subprojects unless its "Display subprojects issues on main
	// projects by default" setting is off.
	Projects []string `yaml:"projects"`
	// Statuses maps Redmine's status names to categories, case-insensitively. Default: Redmine's
	// own statuses, New and In Progress open, Feedback paused, Resolved resolved, Closed closed,
	// Rejected cancelled. Redmine's "closed" flag plays no part: Resolved is not closed there.
	Statuses *Statuses `yaml:"statuses"`
	// DefaultCategory is the category of statuses Statuses does not list. Unset, an issue that
	// ever had such a status is rejected, its reason naming the status.
	DefaultCategory string `yaml:"default_category"`
	// FirstResponse says which event is an issue's first response.
	FirstResponse FirstResponse `yaml:"first_response"`
	// Type and Group name the attribute that is a ticket's type and group: project, tracker,
	// category, assigned_to, author, fixed_version or custom_field:<name>. Defaults: tracker and
	// project.
	Type  string `yaml:"type"`
	Group string `yaml:"group"`
	// Fields maps ticket field names (what objectives select on) to attributes, as Type.
	Fields map[string]string `yaml:"fields"`
}

// Statuses lists the status names of each category.
type Statuses struct {
	Open      []string `yaml:"open"`
	Paused    []string `yaml:"paused"`
	Resolved  []string `yaml:"resolved"`
	Closed    []string `yaml:"closed"`
	Cancelled []string `yaml:"cancelled"`
}

// defaultStatuses are Redmine's own default statuses.
var defaultStatuses = Statuses{
	Open:      []string{"New", "In Progress"},
	Paused:    []string{"Feedback"},
	Resolved:  []string{"Resolved"},
	Closed:    []string{"Closed"},
	Cancelled: []string{"Rejected"},
}

// FirstResponse says which event is an issue's first response: the earliest of those enabled.
type FirstResponse struct {
	// Notes: the first note (journal with notes) by a user other than the author. Private
	// notes do not count: the customer never saw them. Default true.
	Notes *bool `yaml:"notes"`
	// Statuses: the first change into one of these statuses, by anyone (an agent taking the
	// issue by moving it to In Progress). Default none.
	Statuses []string `yaml:"statuses"`
}

// defaults are Redmine's: no hosted service (url is required), pages of at most 100 (Redmine
// caps limit at 100), and no client-side limit, since Redmine limits nothing itself.
var defaults = apisource.Defaults{
	PageSize:           100,
	MaxPageSize:        100,
	MaxRequestsPerSync: 1000,
	Overlap:            2 * time.Minute,
	Reconcile:          24 * time.Hour,
	RequestTimeout:     30 * time.Second,
	Credentials:        "http_client_config.http_headers (X-Redmine-API-Key, files: a file holding the key)",
}

// plan is a validated configuration.
type plan struct {
	api      *apisource.Settings
	projects []string

	statuses        map[string]ticket.Category // lower-case name -> category
	defaultCategory ticket.Category
	responseNotes   bool
	responseStatus  map[string]bool // lower-case names
	typ, group      attribute
	fieldNames      []string // sorted
	fields          []attribute
}

// attribute is an issue attribute a ticket takes a value from.
type attribute struct {
	kind string // one of attributeKinds, or "custom_field"
	name string // the custom field's name
}

// attributeKinds are the issue attributes named by their key in Redmine's JSON.
var attributeKinds = []string{"project", "tracker", "category", "assigned_to", "author", "fixed_version"}

const customFieldPrefix = "custom_field:"

// String is the attribute as the configuration writes it.
func (a attribute) String() string {
	if a.kind == "custom_field" {
		return customFieldPrefix + a.name
	}
	return a.kind
}

func parseAttribute(s string) (attribute, error) {
	s = strings.TrimSpace(s)
	if name, ok := strings.CutPrefix(s, customFieldPrefix); ok {
		name = strings.TrimSpace(name)
		if name == "" {
			return attribute{}, errors.New("custom_field: needs the custom field's name, as in custom_field:Customer")
		}
		return attribute{kind: "custom_field", name: name}, nil
	}
	if slices.Contains(attributeKinds, s) {
		return attribute{kind: s}, nil
	}
	return attribute{}, fmt.Errorf("%q is not an issue attribute (want %s or custom_field:<name>)", s, strings.Join(attributeKinds, ", "))
}

// compiler validates a decoded Config against its node, for line numbers.
type compiler struct{ node *yaml.Node }

// failf reports an error at the key path; where the key is absent, at the deepest enclosing one.
func (c *compiler) failf(path []string, format string, args ...any) error {
	return apisource.Fail(c.node, path, format, args...)
}

// decode decodes a `redmine:` block strictly and validates it; relative file names of
// http_client_config resolve against opts.Dir. Its errors never quote a credential.
func decode(node *yaml.Node, opts collector.Options) (*plan, error) {
	p, err := decodeRaw(node, opts)
	return p, apisource.ScrubConfigError(node, err)
}

func decodeRaw(node *yaml.Node, opts collector.Options) (*plan, error) {
	if node == nil {
		return nil, errors.New("the redmine source needs a `redmine:` block with at least url and projects")
	}
	cfg := Config{Config: apisource.Config{HTTPClientConfig: config.DefaultHTTPClientConfig}}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	return compile(node, &cfg, opts)
}

func compile(node *yaml.Node, cfg *Config, opts collector.Options) (*plan, error) {
	c := &compiler{node: node}
	p := &plan{}

	// Redmine's own words for the mistakes its users make (a key in ?key=, the login in the
	// URL); apisource.Compile checks the rest of the URL. The parse error would quote the URL.
	if strings.TrimSpace(cfg.URL) == "" {
		return nil, c.failf([]string{"url"}, "required: Redmine's base URL, as https://redmine.example.com")
	}
	if u, err := url.Parse(strings.TrimSpace(cfg.URL)); err == nil {
		switch {
		case u.User != nil:
			return nil, c.failf([]string{"url"}, "has user information: put credentials in http_client_config (basic_auth, or http_headers with X-Redmine-API-Key)")
		case u.RawQuery != "" || u.ForceQuery:
			return nil, c.failf([]string{"url"}, "has a query: the API key goes in http_client_config (http_headers with X-Redmine-API-Key), not in ?key=")
		}
	}
	if len(cfg.Projects) == 0 {
		return nil, c.failf([]string{"projects"}, "required: the identifiers of the projects to read, as [support]")
	}
	api, err := apisource.Compile(node, &cfg.Config, defaults, "redmine", opts)
	if err != nil {
		return nil, err
	}
	p.api = api
	for i, pr := range cfg.Projects {
		pr = strings.TrimSpace(pr)
		if pr == "" || strings.ContainsAny(pr, "/?#&= \t") {
			return nil, c.failf([]string{"projects"}, "entry %d, %q, is not a project identifier", i+1, cfg.Projects[i])
		}
		if slices.Contains(p.projects, pr) {
			return nil, c.failf([]string{"projects"}, "%q is listed twice", pr)
		}
		p.projects = append(p.projects, pr)
	}

	if err := c.statuses(p, cfg); err != nil {
		return nil, err
	}
	if err := c.attributes(p, cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// statuses compiles statuses, default_category and first_response.
func (c *compiler) statuses(p *plan, cfg *Config) error {
	st := defaultStatuses
	if cfg.Statuses != nil {
		st = *cfg.Statuses
	}
	p.statuses = map[string]ticket.Category{}
	for _, cat := range []struct {
		key   string
		names []string
		cat   ticket.Category
	}{{"open", st.Open, ticket.Open}, {"paused", st.Paused, ticket.Paused}, {"resolved", st.Resolved, ticket.Resolved},
		{"closed", st.Closed, ticket.Closed}, {"cancelled", st.Cancelled, ticket.Cancelled}} {
		for _, n := range cat.names {
			key := strings.ToLower(strings.TrimSpace(n))
			if key == "" {
				return c.failf([]string{"statuses", cat.key}, "an empty status name")
			}
			if prev, dup := p.statuses[key]; dup {
				return c.failf([]string{"statuses", cat.key}, "status %q is also listed under %s", n, prev)
			}
			p.statuses[key] = cat.cat
		}
	}
	if len(p.statuses) == 0 {
		return c.failf([]string{"statuses"}, "lists no status: leave it out for Redmine's default statuses")
	}
	if cfg.DefaultCategory != "" {
		cat, err := ticket.ParseCategory(cfg.DefaultCategory)
		if err != nil {
			return c.failf([]string{"default_category"}, "%v", err)
		}
		p.defaultCategory = cat
	}

	p.responseNotes = cfg.FirstResponse.Notes == nil || *cfg.FirstResponse.Notes
	p.responseStatus = map[string]bool{}
	for _, n := range cfg.FirstResponse.Statuses {
		key := strings.ToLower(strings.TrimSpace(n))
		if key == "" {
			return c.failf([]string{"first_response", "statuses"}, "an empty status name")
		}
		if cat := p.category(key); cat.Stopped() {
			return c.failf([]string{"first_response", "statuses"}, "status %q is %s: a resolution already counts as the response", n, cat)
		}
		p.responseStatus[key] = true
	}
	if !p.responseNotes && len(p.responseStatus) == 0 {
		return c.failf([]string{"first_response"}, "notes is false and no statuses are listed: nothing would be a first response")
	}
	return nil
}

// attributes compiles type, group and fields.
func (c *compiler) attributes(p *plan, cfg *Config) error {
	var err error
	if p.typ, err = parseAttribute(cmp.Or(cfg.Type, "tracker")); err != nil {
		return c.failf([]string{"type"}, "%v", err)
	}
	if p.group, err = parseAttribute(cmp.Or(cfg.Group, "project")); err != nil {
		return c.failf([]string{"group"}, "%v", err)
	}
	for name := range cfg.Fields {
		p.fieldNames = append(p.fieldNames, name)
	}
	slices.Sort(p.fieldNames)
	for _, name := range p.fieldNames {
		if strings.TrimSpace(name) == "" {
			return c.failf([]string{"fields"}, "a field needs a name")
		}
		a, err := parseAttribute(cfg.Fields[name])
		if err != nil {
			return c.failf([]string{"fields", name}, "%v", err)
		}
		p.fields = append(p.fields, a)
	}
	return nil
}

// category maps a status name to its category; Unmapped when neither statuses nor
// default_category does.
func (p *plan) category(name string) ticket.Category {
	if cat, ok := p.statuses[strings.ToLower(strings.TrimSpace(name))]; ok {
		return cat
	}
	return p.defaultCategory
}
