package rt

import (
	"cmp"
	"errors"
	"fmt"
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

// Config is the `rt:` block of a source. docs/configuration.md documents it too; keep the two in
// step.
type Config struct {
	// The keys every API source has (collector/apisource): url (RT's web address, its
	// WebBaseURL followed by its WebPath, such as https://rt.example.com or
	// https://example.com/rt; REST2 is under it at /REST/2.0), http_client_config (an auth token
	// is `authorization: {type: token, credentials_file: ...}`, RT's "Authorization: token
	// ..."), rate_limit, page_size (the ticket search's, at most 100), max_requests_per_sync,
	// overlap, reconcile_interval, request_timeout.
	apisource.Config `yaml:",inline"`
	// Query is the TicketSQL that selects the tickets, as in RT's query builder:
	// "Queue = 'Support' AND Created > '2025-01-01'". Default: every ticket the user sees
	// ("id > 0").
	Query string `yaml:"query"`
	// Timezone is the time zone RT reads TicketSQL dates in for the token's user: the user's
	// Timezone preference, else RT's $Timezone. The incremental sync's "LastUpdated >= ..." is
	// written in it, so a wrong zone misses changes. Default UTC.
	Timezone string `yaml:"timezone"`
	// Statuses maps RT's status names to categories. Default: RT's default lifecycle (new and
	// open: open; stalled: paused; resolved: resolved; rejected and deleted: cancelled). When
	// set it replaces the default whole. Names compare case-insensitively.
	Statuses Statuses `yaml:"statuses"`
	// FirstResponse says which transactions are a ticket's first response.
	FirstResponse FirstResponse `yaml:"first_response"`
	// PriorityRanges name RT's numeric Priority: the first range holding it gives its name.
	// Unset, the priority is the number as RT writes it ("50"); set, a ticket whose priority no
	// range holds is rejected.
	PriorityRanges []PriorityRange `yaml:"priority_ranges"`
	// CustomFields maps ticket fields (what objectives select on) to RT custom field names. A
	// field with several values holds them joined by ", ", in RT's order.
	CustomFields map[string]string `yaml:"custom_fields"`
	// TypeCustomField names a custom field holding the ticket's type (incident, request ...).
	// RT's own Type is always "ticket".
	TypeCustomField string `yaml:"type_custom_field"`
}

// Statuses lists RT's status names of each category.
type Statuses struct {
	Open      []string `yaml:"open"`
	Paused    []string `yaml:"paused"`
	Resolved  []string `yaml:"resolved"`
	Closed    []string `yaml:"closed"`
	Cancelled []string `yaml:"cancelled"`
}

// FirstResponse says which transactions are a ticket's first response.
type FirstResponse struct {
	// Transactions are the transaction types that count, when made by a user who is not one of
	// the ticket's requestors (nor RT itself): Correspond (a reply), Comment (an internal
	// note), Status (a status change by hand). Default [Correspond].
	Transactions []string `yaml:"transactions"`
}

// PriorityRange is a name for RT priorities from Min to Max, both included. An absent bound is
// open.
type PriorityRange struct {
	Name string `yaml:"name"`
	Min  *int64 `yaml:"min"`
	Max  *int64 `yaml:"max"`
}

// Defaults of Config.
const (
	DefaultQuery    = "id > 0"
	DefaultTimezone = "UTC"
)

// defaults are RT's values of the API keys. RT has no rate limit of its own: the client-side
// limit keeps a first sync (a request per ticket) from loading a small RT's web workers; 100 a
// page is REST2's cap on per_page; the overlap is a minute, as
// RT dates to the second from one clock (the database server's), so late updates are few.
var defaults = apisource.Defaults{
	PageSize:           100,
	MaxPageSize:        100,
	RateLimit:          apisource.RateLimit{Requests: 20, Per: model.Duration(time.Second), Burst: 20},
	MaxRequestsPerSync: 2000,
	Overlap:            time.Minute,
	Reconcile:          24 * time.Hour,
	RequestTimeout:     30 * time.Second,
	Credentials:        "http_client_config.authorization (type: token, credentials_file: a file holding an RT auth token)",
}

// DefaultStatuses are RT's default lifecycle.
func DefaultStatuses() Statuses {
	return Statuses{
		Open:      []string{"new", "open"},
		Paused:    []string{"stalled"},
		Resolved:  []string{"resolved"},
		Cancelled: []string{"rejected", "deleted"},
	}
}

// Fields the source sets on every ticket besides the custom fields.
const (
	// FieldDue is RT's own Due, RFC 3339 in UTC, absent when unset: RT's deadline for the
	// ticket's next step (a response, else the resolution).
	FieldDue = "rt_due"
	// FieldSLA is the ticket's SLA level in RT, absent when none.
	FieldSLA = "rt_sla"
)

// responseTypes are the transaction types first_response.transactions accepts.
var responseTypes = []string{"Correspond", "Comment", "Status"}

// plan is a Config validated and compiled.
type plan struct {
	api   *apisource.Settings
	query string
	loc   *time.Location
	// statuses maps lower-cased status names to categories.
	statuses map[string]ticket.Category
	// response holds the transaction types of a first response.
	response map[string]bool
	ranges   []PriorityRange
	// fields maps ticket field names to custom field names, sorted by field.
	fields    []fieldMap
	typeField string
}

type fieldMap struct{ field, customField string }

// fail is a configuration error at path in node, which may hold list indexes:
// "line N: priority_ranges[1]: ...".
func fail(node *yaml.Node, path []any, format string, args ...any) error {
	keys := make([]string, 0, len(path))
	for _, p := range path {
		switch p := p.(type) {
		case string:
			keys = append(keys, p)
		case int:
			keys[len(keys)-1] += fmt.Sprintf("[%d]", p)
		}
	}
	return &apisource.ConfigError{Line: collector.LineOf(node, path...), Field: strings.Join(keys, "."), Err: fmt.Errorf(format, args...)}
}

// compile decodes an `rt:` block strictly and validates it. Its errors read "line N: key:
// message", and never quote a credential.
func compile(node *yaml.Node, opts collector.Options) (*plan, error) {
	p, err := compileBlock(node, opts)
	return p, apisource.ScrubConfigError(node, err)
}

func compileBlock(node *yaml.Node, opts collector.Options) (*plan, error) {
	if node == nil {
		return nil, errNoBlock
	}
	if hasKey(node, "per_page") {
		// The key of versions before the API source framework.
		return nil, fail(node, []any{"per_page"}, "is now page_size, the key every API source has")
	}
	cfg := Config{Config: apisource.Config{HTTPClientConfig: config.DefaultHTTPClientConfig}}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.URL) == "" {
		// apisource's message is the generic one; say what RT's url is.
		return nil, fail(node, []any{"url"}, "is required: RT's web address, such as https://rt.example.com")
	}
	if o := time.Duration(cfg.Overlap); o%time.Second != 0 {
		return nil, fail(node, []any{"overlap"}, "%s is not a whole number of seconds (RT dates are to the second)", cfg.Overlap)
	}
	api, err := apisource.Compile(node, &cfg.Config, defaults, "rt", opts)
	if err != nil {
		return nil, err
	}
	p := &plan{api: api}

	p.query = strings.TrimSpace(cfg.Query)
	if p.query == "" {
		p.query = DefaultQuery
	}
	if strings.ContainsAny(p.query, "\x00\r\n") {
		return nil, fail(node, []any{"query"}, "holds a line break or NUL")
	}

	tz := cmp.Or(cfg.Timezone, DefaultTimezone)
	if p.loc, err = time.LoadLocation(tz); err != nil {
		return nil, fail(node, []any{"timezone"}, "unknown time zone %q (an IANA name such as Europe/Berlin)", tz)
	}

	st := cfg.Statuses
	if !hasKey(node, "statuses") {
		st = DefaultStatuses()
	}
	p.statuses = map[string]ticket.Category{}
	for _, g := range []struct {
		key   string
		names []string
		cat   ticket.Category
	}{
		{"open", st.Open, ticket.Open}, {"paused", st.Paused, ticket.Paused}, {"resolved", st.Resolved, ticket.Resolved},
		{"closed", st.Closed, ticket.Closed}, {"cancelled", st.Cancelled, ticket.Cancelled},
	} {
		for i, n := range g.names {
			k := strings.ToLower(strings.TrimSpace(n))
			if k == "" {
				return nil, fail(node, []any{"statuses", g.key, i}, "an empty status name")
			}
			if prev, dup := p.statuses[k]; dup {
				return nil, fail(node, []any{"statuses", g.key, i}, "status %q is listed under %s too", n, prev)
			}
			p.statuses[k] = g.cat
		}
	}
	if len(p.statuses) == 0 {
		return nil, fail(node, []any{"statuses"}, "lists no status")
	}

	types := cfg.FirstResponse.Transactions
	if !hasKey(node, "first_response") || types == nil {
		types = []string{"Correspond"}
	}
	if len(types) == 0 {
		return nil, fail(node, []any{"first_response", "transactions"}, "lists no transaction type (want %s)", strings.Join(responseTypes, ", "))
	}
	p.response = map[string]bool{}
	for i, t := range types {
		j := slices.IndexFunc(responseTypes, func(r string) bool { return strings.EqualFold(r, strings.TrimSpace(t)) })
		if j < 0 {
			return nil, fail(node, []any{"first_response", "transactions", i}, "unknown transaction type %q (want %s)", t, strings.Join(responseTypes, ", "))
		}
		p.response[responseTypes[j]] = true
	}

	for i, r := range cfg.PriorityRanges {
		at := []any{"priority_ranges", i}
		switch {
		case strings.TrimSpace(r.Name) == "":
			return nil, fail(node, at, "name is required")
		case r.Min == nil && r.Max == nil:
			return nil, fail(node, at, "set min, max or both")
		case r.Min != nil && r.Max != nil && *r.Min > *r.Max:
			return nil, fail(node, at, "min %d is above max %d", *r.Min, *r.Max)
		}
		p.ranges = append(p.ranges, PriorityRange{Name: strings.TrimSpace(r.Name), Min: r.Min, Max: r.Max})
	}

	for field, cf := range cfg.CustomFields {
		at := []any{"custom_fields", field}
		switch {
		case strings.TrimSpace(field) == "":
			return nil, fail(node, []any{"custom_fields"}, "an empty field name")
		case field == FieldDue || field == FieldSLA:
			return nil, fail(node, at, "%s is set by the source (RT's %s)", field, map[string]string{FieldDue: "Due", FieldSLA: "SLA"}[field])
		case strings.TrimSpace(cf) == "":
			return nil, fail(node, at, "an empty custom field name")
		}
		p.fields = append(p.fields, fieldMap{field: field, customField: strings.TrimSpace(cf)})
	}
	slices.SortFunc(p.fields, func(a, b fieldMap) int { return strings.Compare(a.field, b.field) })
	p.typeField = strings.TrimSpace(cfg.TypeCustomField)
	return p, nil
}

// hasKey reports whether the mapping node n has the key.
func hasKey(n *yaml.Node, key string) bool {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

// priority names RT's numeric priority by the ranges, or is the number itself without them.
func (p *plan) priority(n int64) (string, bool) {
	if len(p.ranges) == 0 {
		return fmt.Sprint(n), true
	}
	for _, r := range p.ranges {
		if (r.Min == nil || n >= *r.Min) && (r.Max == nil || n <= *r.Max) {
			return r.Name, true
		}
	}
	return "", false
}

var errNoBlock = errors.New("the rt source needs an `rt:` block with at least url")
