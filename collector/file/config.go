package file

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/prometheus/common/config"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Config is the `file:` block of a source. Every field is documented in doc.go's reference too;
// keep the two in step.
//
// A Config may hold credentials (in URL and HTTPClientConfig): print it with String (or log it
// as a slog value), which shows them as <secret> and the URL without user information or query.
// %v of its fields would not.
type Config struct {
	// Path is the file to read, or a glob (filepath.Match syntax: *, ?, [a-z]) matching several
	// files that together form one snapshot, read in lexical order. A relative path resolves
	// against the configuration file's folder. Exactly one of Path and URL is required.
	Path string `yaml:"path"`
	// URL is an http or https URL to fetch the export from instead of a file (exclusive with
	// Path): a ServiceNow list export (incident_list.do?CSV), a report URL, a REST API answering
	// {"result": [...]}. Its user information, if any, is sent as basic auth; its printed forms
	// drop user information and query, which may hold credentials.
	URL URL `yaml:"url" json:",omitempty"`
	// HTTPClientConfig is how URL is fetched: basic_auth, authorization, oauth2, tls_config,
	// proxy_url, follow_redirects, enable_http2, http_headers (prometheus/common's client
	// configuration, with its defaults: redirects followed, HTTP/2 enabled). Relative *_file
	// paths resolve against the configuration file's folder. Only with URL.
	HTTPClientConfig config.HTTPClientConfig `yaml:"http_client_config" json:"-"`
	// Headers are plain extra request headers (Accept: application/json ...), only with URL.
	// They are not secret: credentials go in HTTPClientConfig (authorization, basic_auth, or
	// http_headers with secrets or files).
	Headers map[string]string `yaml:"headers" json:",omitempty"`
	// Format is csv, json (an array of objects) or ndjson (one object per line). Default: from
	// the extension of Path or of URL's path: .csv and .tsv are csv (.tsv with a tab delimiter),
	// .json is json, .ndjson and .jsonl are ndjson. Required when the extension does not tell.
	Format string `yaml:"format"`
	// Content is what the rows hold: tickets, uptime or events. Default: tickets.
	Content string `yaml:"content"`
	// Layout applies to tickets: one_row_per_ticket (default) or event_log (one row per status
	// change, the rows of a ticket sharing its id).
	Layout string `yaml:"layout"`
	// CSV holds the csv format's options.
	CSV CSVOptions `yaml:"csv"`
	// JSON holds the json format's options.
	JSON JSONOptions `yaml:"json"`
	// Columns maps each attribute to a column: a CSV header name or a JSON key (a dotted path
	// for nested objects). An empty name leaves the attribute unmapped.
	Columns Columns `yaml:"columns"`
	// Constants give attributes a fixed value: the value of an unmapped attribute, and of a mapped
	// one on rows where its column is absent.
	Constants Constants `yaml:"constants"`
	// Time says how every time column is written.
	Time TimeFormat `yaml:"time"`
	// NullValues are values meaning "absent", compared exactly after trimming spaces. An empty
	// value is always absent.
	NullValues []string `yaml:"null_values"`
	// Statuses maps status names to categories (tickets). Names compare case-insensitively.
	Statuses Statuses `yaml:"statuses"`
	// DefaultCategory is the policy for unknown statuses: the category of a status Statuses does
	// not list (open, paused, resolved, closed or cancelled). Unset, such a row is rejected, its
	// reason naming the status.
	DefaultCategory string `yaml:"default_category"`
	// ResponseStatuses applies to event_log: the first change into one of these statuses
	// (case-insensitive) is the ticket's first response. Exclusive with columns.first_response.
	ResponseStatuses []string `yaml:"response_statuses"`
	// Ratings maps satisfaction answers to good or bad (tickets).
	Ratings Ratings `yaml:"ratings"`
	// States maps probe states to availability states (uptime).
	States States `yaml:"states"`
	// Coverage bounds what outage rows describe (uptime with columns.start).
	Coverage Coverage `yaml:"coverage"`
	// MaxSize bounds an export: a file (each file of a glob), or a fetched body after
	// decompression. A larger one fails the sync, naming the source and the file, rather than
	// being read in part. Default 1GiB. Not in the fingerprint: it changes nothing that is read.
	MaxSize Size `yaml:"max_size" json:"-"`
}

// CSVOptions are the csv format's options.
type CSVOptions struct {
	// Delimiter is the field separator, one character. Default: "," (a tab for .tsv files).
	Delimiter string `yaml:"delimiter"`
	// Comment, when set, is a character starting comment lines, which are skipped.
	Comment string `yaml:"comment"`
	// LazyQuotes accepts a quote inside an unquoted field and a lone quote in a quoted one.
	LazyQuotes bool `yaml:"lazy_quotes"`
}

// JSONOptions are the json format's options.
type JSONOptions struct {
	// Records is the dotted path of the array of records inside a top-level object, as in
	// ServiceNow's {"result": [...]} or Zendesk's {"tickets": [...]}. Default: the document is the
	// array.
	Records string `yaml:"records"`
}

// Columns names the column holding each attribute. Which attributes apply depends on the content
// (and, for tickets, the layout); mapping one that does not apply is a configuration error.
type Columns struct {
	// ID is the ticket id. Required for tickets.
	ID string `yaml:"id"`
	// Created is the creation time. Required for one_row_per_ticket; optional for event_log,
	// where a ticket without it is created at its first status time.
	Created string `yaml:"created"`
	// Status is the status name: the current status for one_row_per_ticket, the status entered on
	// this row for event_log (required there).
	Status string `yaml:"status"`
	// StatusTime is when the row's status took effect. Required for event_log; optional for
	// one_row_per_ticket, where it dates the current status.
	StatusTime string `yaml:"status_time"`
	// Sequence is the order of a ticket's rows (event_log only): a whole number that grows with
	// each update of the ticket, as ServiceNow's sys_mod_count. Rows are ordered by sequence,
	// then time, so that changes within one minute, or a row whose time is out of step, fall in
	// the order the tool made them.
	Sequence string `yaml:"sequence"`
	// Priority, Type and Group are the ticket's priority, type (incident, request, change ...) and
	// assignment group or queue.
	Priority string `yaml:"priority"`
	Type     string `yaml:"type"`
	Group    string `yaml:"group"`
	// FirstResponse is the time of the first agent response.
	FirstResponse string `yaml:"first_response"`
	// Resolved and Closed are resolution and closure times (one_row_per_ticket only): each adds a
	// resolved or closed entry to the history.
	Resolved string `yaml:"resolved"`
	Closed   string `yaml:"closed"`
	// Reassignments is the number of hand-overs between groups, a non-negative integer.
	Reassignments string `yaml:"reassignments"`
	// WorkTime is the work recorded on the ticket (time worked, time spent): a duration such as
	// 38m, 1h35m or 1.5h, or a number of seconds; empty or 0 is none. Left out of the
	// fingerprint when unmapped, so that configurations from before it read as before.
	WorkTime string `yaml:"work_time" json:",omitempty"`
	// Rating is the customer satisfaction answer, mapped by Ratings.
	Rating string `yaml:"rating"`
	// Fields maps ticket field names (what objectives select on) to columns.
	Fields map[string]string `yaml:"fields"`

	// Time is a sample's time (uptime samples) or a bucket's start (events).
	Time string `yaml:"time"`
	// State is a sample's state, or an outage row's state (optional there: down by default).
	State string `yaml:"state"`
	// Series names the series a row belongs to (uptime, events). Default: constants.series, else
	// the source's name.
	Series string `yaml:"series"`
	// Start and End bound an outage row (uptime). An empty end is an outage still going on: it
	// lasts to the end of the coverage.
	Start string `yaml:"start"`
	End   string `yaml:"end"`
	// Good, Bad and Total are a bucket's event counts (events): Total and one of Good or Bad
	// (good = total − bad).
	Good  string `yaml:"good"`
	Bad   string `yaml:"bad"`
	Total string `yaml:"total"`
}

// Constants are fixed attribute values.
type Constants struct {
	Priority string `yaml:"priority"`
	Type     string `yaml:"type"`
	Group    string `yaml:"group"`
	// Series is the series name for uptime and events.
	Series string `yaml:"series"`
	// Fields are fixed ticket fields.
	Fields map[string]string `yaml:"fields"`
}

// TimeFormat says how times are written.
type TimeFormat struct {
	// Layout is how time columns are written: a Go time layout ("02-01-2006 15:04",
	// "2006-01-02 15:04:05"), rfc3339, unix (seconds, decimals allowed) or unix_ms
	// (milliseconds); or a list of them, tried in order on each value, for exports that write
	// dates in more than one way. Default: rfc3339.
	Layout Layouts `yaml:"layout"`
	// Timezone is the IANA zone of times written without an offset. Default: UTC.
	Timezone string `yaml:"timezone"`
}

// Layouts is time.layout: one notation, or a YAML list of them tried in order.
type Layouts []string

// UnmarshalYAML takes a string (one notation; "" is the default) or a list of strings.
func (l *Layouts) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		var s string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*l = nil
		if s != "" {
			*l = Layouts{s}
		}
		return nil
	case yaml.SequenceNode:
		var list []string
		if err := n.Decode(&list); err != nil {
			return err
		}
		*l = list
		return nil
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: cannot unmarshal %s into a time layout or a list of layouts", n.Line, n.ShortTag())}}
}

// MarshalYAML prints one layout as a string, several as a list.
func (l Layouts) MarshalYAML() (any, error) {
	if len(l) == 1 {
		return l[0], nil
	}
	return []string(l), nil
}

// Statuses lists the status names of each category.
type Statuses struct {
	Open      []string `yaml:"open"`
	Paused    []string `yaml:"paused"`
	Resolved  []string `yaml:"resolved"`
	Closed    []string `yaml:"closed"`
	Cancelled []string `yaml:"cancelled"`
}

// Ratings lists the satisfaction answers that are good and bad, compared case-insensitively. Any
// other answer (a neutral 3 on a 1-5 scale) is unrated.
type Ratings struct {
	Good []string `yaml:"good"`
	Bad  []string `yaml:"bad"`
}

// States lists the state values of each availability state, compared case-insensitively. When
// all four are empty the defaults are up: [up, 1, true], down: [down, 0, false], degraded:
// [degraded], unknown: [unknown]. A value none lists is a rejected row.
type States struct {
	Up       []string `yaml:"up"`
	Down     []string `yaml:"down"`
	Degraded []string `yaml:"degraded"`
	Unknown  []string `yaml:"unknown"`
}

// Coverage is the time range outage rows describe: inside it, time no outage claims was up.
type Coverage struct {
	// From is when the file starts recording every outage (RFC 3339). Required with outage rows.
	From string `yaml:"from"`
	// To is when the record ends (RFC 3339). Default: the files' latest modification time, since
	// whoever wrote the file vouched for everything up to then.
	To string `yaml:"to"`
	// Series are series to publish even when no row names them (a service with no outage yet).
	Series []string `yaml:"series"`
}

// String prints the configuration as YAML with its credentials hidden: prometheus/common's
// Secret values show as <secret>, URL without user information and query.
func (c Config) String() string {
	out, err := yaml.Marshal(c)
	if err != nil {
		return "<unprintable file configuration>"
	}
	return string(out)
}

// GoString is String, so that %#v hides the credentials too.
func (c Config) GoString() string { return c.String() }

// LogValue makes a logged Config print as String.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// URL is the url: key. It is a string, but every printed form of it (String, %v, YAML, JSON, a
// log value) is scheme://host/path: user information and query, which may hold credentials (an
// API key in a query parameter), are left out.
type URL string

// String is the URL as scheme://host/path.
func (u URL) String() string { return apisource.RedactURL(string(u)) }

// GoString is String.
func (u URL) GoString() string { return u.String() }

// MarshalYAML prints String.
func (u URL) MarshalYAML() (any, error) { return u.String(), nil }

// MarshalJSON prints String.
func (u URL) MarshalJSON() ([]byte, error) { return json.Marshal(u.String()) }

// LogValue makes a logged URL print as String.
func (u URL) LogValue() slog.Value { return slog.StringValue(u.String()) }
