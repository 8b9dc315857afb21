package rt

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Config is the `rt:` block of a source. docs/configuration.md documents it too; keep the two in
// step.
type Config struct {
	// URL is RT's web address (its WebBaseURL followed by its WebPath), such as
	// https://rt.example.com or https://example.com/rt. REST2 is under it at /REST/2.0.
	// Required. Credentials go in HTTPClientConfig, not in the URL.
	URL string `yaml:"url"`
	// HTTPClientConfig is how RT is reached: an auth token is
	// `authorization: {type: token, credentials_file: ...}` (RT's "Authorization: token ..."),
	// a password basic_auth; tls_config, proxy_url and the rest of prometheus/common's client
	// settings apply. Relative file names resolve against the configuration file's folder.
	HTTPClientConfig config.HTTPClientConfig `yaml:"http_client_config"`
	// Query is the TicketSQL that selects the tickets, as in RT's query builder:
	// "Queue = 'Support' AND Created > '2025-01-01'". Default: every ticket the user sees
	// ("id > 0").
	Query string `yaml:"query"`
	// Timezone is the time zone RT reads TicketSQL dates in for the token's user: the user's
	// Timezone preference, else RT's $Timezone. The incremental sync's "LastUpdated >= ..." is
	// written in it, so a wrong zone misses changes. Default UTC.
	Timezone string `yaml:"timezone"`
	// PerPage is the page size of the ticket search, 1 to 100 (RT's cap). Default 100.
	PerPage int `yaml:"per_page"`
	// Overlap is how far before the last LastUpdated seen the next sync searches again, for
	// updates committed late or dated by a clock behind; tickets seen unchanged are skipped.
	// Default 1m.
	Overlap model.Duration `yaml:"overlap"`
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
	DefaultPerPage  = 100
	DefaultOverlap  = model.Duration(time.Minute)
	DefaultTimezone = "UTC"
)

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
	base    *url.URL // RT's URL, without a trailing slash
	display string   // scheme://host/path, for messages
	client  config.HTTPClientConfig
	query   string
	loc     *time.Location
	perPage int
	overlap time.Duration
	// statuses maps lower-cased status names to categories.
	statuses map[string]ticket.Category
	// response holds the transaction types of a first response.
	response map[string]bool
	ranges   []PriorityRange
	// fields maps ticket field names to custom field names, sorted by field.
	fields    []fieldMap
	typeField string
	// fingerprint changes with any setting that changes what is fetched or how it maps: a
	// checkpoint taken under another one is not resumed.
	fingerprint string
}

type fieldMap struct{ field, customField string }

// configError is a configuration problem at a line of the block.
type configError struct {
	line  int
	field string
	err   error
}

func (e *configError) Error() string { return fmt.Sprintf("line %d: %s: %v", e.line, e.field, e.err) }
func (e *configError) Unwrap() error { return e.err }

// compile validates cfg, decoded from node, and builds its plan. dir resolves relative file names.
func compile(node *yaml.Node, cfg *Config, dir string) (*plan, error) {
	fail := func(err error, path ...any) error {
		keys := make([]string, 0, len(path))
		for _, p := range path {
			switch p := p.(type) {
			case string:
				keys = append(keys, p)
			case int:
				keys[len(keys)-1] += fmt.Sprintf("[%d]", p)
			}
		}
		return &configError{line: collector.LineOf(node, path...), field: strings.Join(keys, "."), err: err}
	}
	failf := func(path []any, format string, args ...any) error { return fail(fmt.Errorf(format, args...), path...) }

	p := &plan{}
	if strings.TrimSpace(cfg.URL) == "" {
		return nil, failf([]any{"url"}, "is required: RT's web address, such as https://rt.example.com")
	}
	// A parse error would quote the URL; say only what is wrong.
	u, err := url.Parse(strings.TrimSpace(cfg.URL))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "":
		return nil, failf([]any{"url"}, "not an http:// or https:// URL with a host")
	case u.User != nil:
		return nil, failf([]any{"url"}, "has user information: set credentials in http_client_config (authorization with credentials_file, or basic_auth with password_file)")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, failf([]any{"url"}, "has a query or fragment: give RT's address only")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	p.base = u
	p.display = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()

	hc := cfg.HTTPClientConfig
	hc.SetDirectory(dir)
	if err := hc.Validate(); err != nil {
		return nil, fail(err, "http_client_config")
	}
	if ref := secretRef(&hc); ref != "" {
		return nil, failf([]any{"http_client_config"}, "%s: secret references need a secret manager, which sla_exporter has not: use the _file form", ref)
	}
	p.client = hc

	p.query = strings.TrimSpace(cfg.Query)
	if p.query == "" {
		p.query = DefaultQuery
	}
	if strings.ContainsAny(p.query, "\x00\r\n") {
		return nil, failf([]any{"query"}, "holds a line break or NUL")
	}

	tz := cfg.Timezone
	if tz == "" {
		tz = DefaultTimezone
	}
	if p.loc, err = time.LoadLocation(tz); err != nil {
		return nil, failf([]any{"timezone"}, "unknown time zone %q (an IANA name such as Europe/Berlin)", tz)
	}

	switch {
	case cfg.PerPage == 0:
		p.perPage = DefaultPerPage
	case cfg.PerPage < 1 || cfg.PerPage > 100:
		return nil, failf([]any{"per_page"}, "%d is not between 1 and 100 (RT's cap)", cfg.PerPage)
	default:
		p.perPage = cfg.PerPage
	}

	switch o := time.Duration(cfg.Overlap); {
	case o < 0:
		return nil, failf([]any{"overlap"}, "%s is negative", cfg.Overlap)
	case o%time.Second != 0:
		return nil, failf([]any{"overlap"}, "%s is not a whole number of seconds (RT dates are to the second)", cfg.Overlap)
	case !hasKey(node, "overlap"):
		p.overlap = time.Duration(DefaultOverlap)
	default:
		p.overlap = o
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
				return nil, failf([]any{"statuses", g.key, i}, "an empty status name")
			}
			if prev, dup := p.statuses[k]; dup {
				return nil, failf([]any{"statuses", g.key, i}, "status %q is listed under %s too", n, prev)
			}
			p.statuses[k] = g.cat
		}
	}
	if len(p.statuses) == 0 {
		return nil, failf([]any{"statuses"}, "lists no status")
	}

	types := cfg.FirstResponse.Transactions
	if !hasKey(node, "first_response") || types == nil {
		types = []string{"Correspond"}
	}
	if len(types) == 0 {
		return nil, failf([]any{"first_response", "transactions"}, "lists no transaction type (want %s)", strings.Join(responseTypes, ", "))
	}
	p.response = map[string]bool{}
	for i, t := range types {
		j := slices.IndexFunc(responseTypes, func(r string) bool { return strings.EqualFold(r, strings.TrimSpace(t)) })
		if j < 0 {
			return nil, failf([]any{"first_response", "transactions", i}, "unknown transaction type %q (want %s)", t, strings.Join(responseTypes, ", "))
		}
		p.response[responseTypes[j]] = true
	}

	for i, r := range cfg.PriorityRanges {
		at := []any{"priority_ranges", i}
		switch {
		case strings.TrimSpace(r.Name) == "":
			return nil, failf(at, "name is required")
		case r.Min == nil && r.Max == nil:
			return nil, failf(at, "set min, max or both")
		case r.Min != nil && r.Max != nil && *r.Min > *r.Max:
			return nil, failf(at, "min %d is above max %d", *r.Min, *r.Max)
		}
		p.ranges = append(p.ranges, PriorityRange{Name: strings.TrimSpace(r.Name), Min: r.Min, Max: r.Max})
	}

	for field, cf := range cfg.CustomFields {
		at := []any{"custom_fields", field}
		switch {
		case strings.TrimSpace(field) == "":
			return nil, failf([]any{"custom_fields"}, "an empty field name")
		case field == FieldDue || field == FieldSLA:
			return nil, failf(at, "%s is set by the source (RT's %s)", field, map[string]string{FieldDue: "Due", FieldSLA: "SLA"}[field])
		case strings.TrimSpace(cf) == "":
			return nil, failf(at, "an empty custom field name")
		}
		p.fields = append(p.fields, fieldMap{field: field, customField: strings.TrimSpace(cf)})
	}
	slices.SortFunc(p.fields, func(a, b fieldMap) int { return strings.Compare(a.field, b.field) })
	p.typeField = strings.TrimSpace(cfg.TypeCustomField)

	p.fingerprint = p.fingerprintOf()
	return p, nil
}

// fingerprintOf hashes what decides the records: the server, the query and the mapping. The
// client settings and paging do not.
func (p *plan) fingerprintOf() string {
	statuses := make([]string, 0, len(p.statuses))
	for k, c := range p.statuses {
		statuses = append(statuses, k+"="+c.String())
	}
	slices.Sort(statuses)
	response := make([]string, 0, len(p.response))
	for k := range p.response {
		response = append(response, k)
	}
	slices.Sort(response)
	data, err := json.Marshal([]any{p.base.String(), p.query, statuses, response, p.ranges, p.fields, p.typeField, p.loc.String()})
	if err != nil {
		panic(err) // plain values always marshal
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
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

// secretRef names the first *_ref secret reference set in hc, or is empty.
func secretRef(hc *config.HTTPClientConfig) string {
	refs := map[string]bool{
		"tls_config.ca_ref":   hc.TLSConfig.CARef != "",
		"tls_config.cert_ref": hc.TLSConfig.CertRef != "",
		"tls_config.key_ref":  hc.TLSConfig.KeyRef != "",
	}
	if b := hc.BasicAuth; b != nil {
		refs["basic_auth.username_ref"] = b.UsernameRef != ""
		refs["basic_auth.password_ref"] = b.PasswordRef != ""
	}
	if a := hc.Authorization; a != nil {
		refs["authorization.credentials_ref"] = a.CredentialsRef != ""
	}
	if o := hc.OAuth2; o != nil {
		refs["oauth2.client_secret_ref"] = o.ClientSecretRef != ""
		refs["oauth2.client_certificate_key_ref"] = o.ClientCertificateKeyRef != ""
	}
	names := make([]string, 0, len(refs))
	for n, set := range refs {
		if set {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
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
