package servicenow

import (
	"cmp"
	"errors"
	"fmt"
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

// Config is the `servicenow:` block of a source. docs/configuration.md documents each key; keep
// the two in step.
type Config struct {
	// The keys every API source has (collector/apisource): url (the instance,
	// https://acme.service-now.com; required), http_client_config (basic_auth with a
	// password_file, or oauth2 with token_url <url>/oauth_token.do), rate_limit, page_size,
	// max_requests_per_sync, overlap, reconcile_interval, request_timeout.
	apisource.Config `yaml:",inline"`
	// Table is the task table whose records are the tickets: incident (default) or
	// change_request. One source per table.
	Table string `yaml:"table"`
	// Query is an encoded query selecting the records, as a list filter's "Copy query" gives
	// it: "assignment_group.name=Service Desk". It must not select on state (a resolved
	// ticket would leave the scope and be dropped), nor hold ORDERBY, ^NQ or ^EQ.
	Query string `yaml:"query"`
	// States names and categorizes the state values, added to the table's base system
	// states (or replacing one of the same value).
	States map[string]State `yaml:"states"`
	// PausedHoldReasons, for incidents, are the hold_reason values for which On Hold is a
	// pause; On Hold with another reason counts as open. Default: every reason pauses.
	PausedHoldReasons []string `yaml:"paused_hold_reasons"`
	// ResponseStates are the state values whose first entry is the ticket's first response.
	// Default: [2] (In Progress) for incidents, none for changes.
	ResponseStates *[]string `yaml:"response_states"`
	// Priorities names the priority values. Default: the base system's labels, "1 - Critical"
	// to "5 - Planning".
	Priorities map[string]string `yaml:"priorities"`
	// Type is the tickets' type. Default: incident, or change for change_request.
	Type string `yaml:"type"`
	// Fields maps ticket fields (what objectives select on) to ServiceNow fields, dot-walked
	// references included: {service: business_service.name, customer: company.name}.
	Fields map[string]string `yaml:"fields"`
	// NativeSLAs maps the names of SLA definitions to the exporter's clocks (response,
	// resolution). When set, the task_sla records of each ticket are imported as its native
	// SLA cycles; a definition not listed is imported without a clock.
	NativeSLAs map[string]string `yaml:"native_slas"`
}

// State is one state value's name and category.
type State struct {
	Name     string `yaml:"name"`
	Category string `yaml:"category"`
}

// defaults are ServiceNow's: it publishes no fixed rate limit (an instance's rules count
// requests per user and hour), so the client-side limit is an hour's worth of one a second;
// pages of 100 keep each Table API call well inside the 60 s REST transaction quota; 5 minutes
// of overlap cover updates committed after their sys_updated_on (a long transaction).
var defaults = apisource.Defaults{
	PageSize:           100,
	MaxPageSize:        10000,
	RateLimit:          apisource.RateLimit{Requests: 3600, Per: model.Duration(time.Hour), Burst: 10},
	MaxRequestsPerSync: 1000,
	Overlap:            5 * time.Minute,
	Reconcile:          24 * time.Hour,
	RequestTimeout:     60 * time.Second,
	Credentials:        "http_client_config.basic_auth (username, password_file) or oauth2 (client_id, client_secret_file, token_url: <url>/oauth_token.do)",
}

// tableDefaults are what each table brings: its base system states, its type, the states of a
// first response, and whether it has hold_reason and reopen_count.
type tableDefaults struct {
	states   map[string]State
	typ      string
	response []string
	incident bool
}

var tables = map[string]tableDefaults{
	"incident": {
		states: map[string]State{
			"1": {"New", "open"}, "2": {"In Progress", "open"}, "3": {"On Hold", "paused"},
			"6": {"Resolved", "resolved"}, "7": {"Closed", "closed"}, "8": {"Canceled", "cancelled"},
		},
		typ: "incident", response: []string{"2"}, incident: true,
	},
	"change_request": {
		states: map[string]State{
			"-5": {"New", "open"}, "-4": {"Assess", "open"}, "-3": {"Authorize", "open"}, "-2": {"Scheduled", "open"},
			"-1": {"Implement", "open"}, "0": {"Review", "resolved"}, "3": {"Closed", "closed"}, "4": {"Canceled", "cancelled"},
		},
		typ: "change",
	},
}

// defaultPriorities are the base system's priority labels.
var defaultPriorities = map[string]string{"1": "1 - Critical", "2": "2 - High", "3": "3 - Moderate", "4": "4 - Low", "5": "5 - Planning"}

// holdReasons are the base system's hold_reason labels, for the status names of On Hold.
var holdReasons = map[string]string{"1": "Awaiting Caller", "3": "Awaiting Problem", "4": "Awaiting Vendor", "5": "Awaiting Change"}

// Fields the source sets on every ticket besides the configured ones.
const (
	// FieldSysID is the record's sys_id, for links (ticket_url).
	FieldSysID = "sys_id"
	// FieldCloseCode is close_code when set: a change's outcome (successful,
	// successful_issues, unsuccessful), an incident's resolution code.
	FieldCloseCode = "close_code"
	// FieldReopenCount is an incident's reopen_count, as ServiceNow counts reopens.
	FieldReopenCount = "reopen_count"
)

// fieldPath is a ServiceNow field, dot-walked or not.
var fieldPath = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// settings is a Config checked.
type settings struct {
	api      *apisource.Settings
	table    string
	incident bool
	query    string
	states   map[string]ticket.Category
	names    map[string]string
	paused   []string // hold reasons that pause; nil: every one
	response []string
	prios    map[string]string
	typ      string
	fields   []fieldMap // sorted by ticket field
	native   map[string]string
	// now is the clock a running SLA's breach is read against.
	now func() time.Time
}

type fieldMap struct{ field, path string }

func compile(node *yaml.Node, opts collector.Options) (*settings, error) {
	s, err := compileBlock(node, opts)
	return s, apisource.ScrubConfigError(node, err)
}

func compileBlock(node *yaml.Node, opts collector.Options) (*settings, error) {
	if node == nil {
		return nil, errors.New("the servicenow source needs a `servicenow:` block with at least url")
	}
	cfg := Config{Config: apisource.Config{HTTPClientConfig: config.DefaultHTTPClientConfig}}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.URL) == "" {
		return nil, apisource.Fail(node, []string{"url"}, "is required: the instance's address, such as https://acme.service-now.com")
	}
	if o := time.Duration(cfg.Overlap); o%time.Second != 0 {
		return nil, apisource.Fail(node, []string{"overlap"}, "%s is not a whole number of seconds (ServiceNow dates are to the second)", cfg.Overlap)
	}
	api, err := apisource.Compile(node, &cfg.Config, defaults, "servicenow", opts)
	if err != nil {
		return nil, err
	}
	s := &settings{api: api, table: cmp.Or(strings.TrimSpace(cfg.Table), "incident"), now: opts.Now}
	td, ok := tables[s.table]
	if !ok {
		return nil, apisource.Fail(node, []string{"table"}, "%q is not a table this source reads (incident, change_request)", cfg.Table)
	}
	s.incident = td.incident

	s.query = strings.TrimSpace(cfg.Query)
	if err := checkQuery(s.query); err != nil {
		return nil, apisource.Fail(node, []string{"query"}, "%v", err)
	}

	s.states, s.names = map[string]ticket.Category{}, map[string]string{}
	merged := maps.Clone(td.states)
	for v, st := range cfg.States {
		at := []string{"states", v}
		if strings.TrimSpace(v) == "" {
			return nil, apisource.Fail(node, []string{"states"}, "an empty state value")
		}
		if strings.TrimSpace(st.Name) == "" {
			return nil, apisource.Fail(node, at, "name is required (the state's label)")
		}
		if _, err := ticket.ParseCategory(st.Category); err != nil {
			return nil, apisource.Fail(node, at, "%v", err)
		}
		merged[strings.TrimSpace(v)] = State{Name: strings.TrimSpace(st.Name), Category: st.Category}
	}
	for v, st := range merged {
		s.states[v], _ = ticket.ParseCategory(st.Category)
		s.names[v] = st.Name
	}

	if len(cfg.PausedHoldReasons) > 0 && !s.incident {
		return nil, apisource.Fail(node, []string{"paused_hold_reasons"}, "applies to incidents: %s has no hold_reason", s.table)
	}
	for i, r := range cfg.PausedHoldReasons {
		if strings.TrimSpace(r) == "" {
			return nil, apisource.Fail(node, []string{"paused_hold_reasons"}, "value %d is empty", i+1)
		}
		s.paused = append(s.paused, strings.TrimSpace(r))
	}

	s.response = td.response
	if cfg.ResponseStates != nil {
		s.response = nil
		for _, v := range *cfg.ResponseStates {
			v = strings.TrimSpace(v)
			if _, ok := s.states[v]; !ok {
				return nil, apisource.Fail(node, []string{"response_states"}, "state %q is not a state of %s (%s); add it to states", v, s.table, knownStates(s.names))
			}
			s.response = append(s.response, v)
		}
	}

	s.prios = maps.Clone(defaultPriorities)
	if cfg.Priorities != nil {
		s.prios = map[string]string{}
		for v, name := range cfg.Priorities {
			if strings.TrimSpace(v) == "" || strings.TrimSpace(name) == "" {
				return nil, apisource.Fail(node, []string{"priorities"}, "an empty priority value or name")
			}
			s.prios[strings.TrimSpace(v)] = strings.TrimSpace(name)
		}
	}
	s.typ = cmp.Or(strings.TrimSpace(cfg.Type), td.typ)

	for field, path := range cfg.Fields {
		at := []string{"fields", field}
		switch {
		case strings.TrimSpace(field) == "":
			return nil, apisource.Fail(node, []string{"fields"}, "an empty ticket field name")
		case field == FieldSysID || field == FieldCloseCode || field == FieldReopenCount:
			return nil, apisource.Fail(node, at, "%s is set by the source", field)
		case !fieldPath.MatchString(path):
			return nil, apisource.Fail(node, at, "%q is not a ServiceNow field name (lower case, dot-walked as company.name)", path)
		}
		s.fields = append(s.fields, fieldMap{field: field, path: path})
	}
	slices.SortFunc(s.fields, func(a, b fieldMap) int { return strings.Compare(a.field, b.field) })

	if cfg.NativeSLAs != nil {
		s.native = map[string]string{}
		for name, clock := range cfg.NativeSLAs {
			if strings.TrimSpace(name) == "" {
				return nil, apisource.Fail(node, []string{"native_slas"}, "an empty SLA definition name")
			}
			if _, err := ticket.ParseKind(clock); err != nil {
				return nil, apisource.Fail(node, []string{"native_slas", name}, "%q is not a clock (response, resolution)", clock)
			}
			s.native[name] = strings.ToLower(clock)
		}
	}
	return s, nil
}

// checkQuery refuses what would break the source's own conditions appended to the query: an
// ORDERBY (the source orders), ^NQ (it would OR the source's conditions away) and ^EQ (they
// would be ignored).
func checkQuery(q string) error {
	if strings.ContainsAny(q, "\x00\r\n") {
		return errors.New("holds a line break or NUL")
	}
	for tok := range strings.SplitSeq(q, "^") {
		switch {
		case strings.HasPrefix(tok, "ORDERBY"):
			return errors.New("holds ORDERBY: the source orders by sys_updated_on and sys_id itself")
		case strings.HasPrefix(tok, "NQ"):
			return errors.New("holds ^NQ, which would OR the source's own conditions away: use one query")
		case tok == "EQ":
			return errors.New("holds ^EQ, after which ServiceNow ignores the source's own conditions")
		}
	}
	return nil
}

func knownStates(names map[string]string) string {
	var parts []string
	for _, v := range slices.Sorted(maps.Keys(names)) {
		parts = append(parts, fmt.Sprintf("%s %s", v, names[v]))
	}
	return strings.Join(parts, ", ")
}
