package file

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Formats, contents and layouts, as written in the configuration.
const (
	formatCSV    = "csv"
	formatJSON   = "json"
	formatNDJSON = "ndjson"

	contentTickets = "tickets"
	contentUptime  = "uptime"
	contentEvents  = "events"

	layoutRow      = "one_row_per_ticket"
	layoutEventLog = "event_log"
)

// slot is the position of a mapped attribute in a row's cells. Ticket fields follow nSlots.
type slot int

const (
	sID slot = iota
	sCreated
	sStatus
	sStatusTime
	sPriority
	sType
	sGroup
	sFirstResponse
	sResolved
	sClosed
	sReassignments
	sRating
	sTime
	sState
	sSeries
	sStart
	sEnd
	sGood
	sBad
	sTotal
	sSequence
	sWorkTime
	nSlots
)

// slotKeys are the configuration keys of the slots, under columns.
var slotKeys = [nSlots]string{"id", "created", "status", "status_time", "priority", "type", "group",
	"first_response", "resolved", "closed", "reassignments", "rating", "time", "state", "series",
	"start", "end", "good", "bad", "total", "sequence", "work_time"}

// plan is a validated configuration, compiled for reading.
type plan struct {
	pattern string // absolute path or glob
	rawPath string // path as configured, for messages
	glob    bool
	fetch   *fetchPlan // set for a url: the export is fetched over HTTP instead
	extOf   string     // the name whose extension tells the format: the path, or the URL's path
	dir     string     // what Where names are relative to
	format  string
	// maxSize bounds each file or fetched body (file.max_size); source is the source's name,
	// for the message of an export past it.
	maxSize int64
	source  string
	content string
	layout  string
	outages bool // uptime rows are outages (start/end), not samples

	delimiter, comment rune
	lazyQuotes         bool
	records            []string // json path to the array, nil for the document itself

	// cols[s] is the column of slot s ("" when unmapped); slots >= nSlots are ticket fields, named
	// by fieldNames[s-nSlots].
	cols       []string
	colLines   []int // the configuration line of each column's key, for errors found in files
	fieldNames []string
	paths      [][]string // cols split on dots, for JSON

	constants Constants
	seriesDef string // series name when neither a column nor a constant gives one
	times     timeParser
	nulls     map[string]bool

	statuses        map[string]ticket.Category // lower-case name -> category
	statusesAsIs    map[string]ticket.Category // name as configured -> category, tried first
	defaultCategory ticket.Category
	stopNames       map[ticket.Category]string // history names for resolved/closed columns
	responses       map[string]bool            // lower-case status names
	ratings         map[string]ticket.Rating   // lower-case answer -> rating
	states          map[string]availability.State

	coverFrom, coverTo time.Time // coverTo zero: the files' latest modification time
	coverSeries        []string

	// fingerprint identifies the configuration in checkpoints, so that a changed mapping re-reads
	// unchanged files.
	fingerprint string
}

// parserVersion is part of the fingerprint: bump it when the same file and configuration would
// produce different records, so that a new release re-reads files.
const parserVersion = 2

// mapped reports whether slot s has a column.
func (p *plan) mapped(s slot) bool { return p.cols[s] != "" }

// configError is a configuration error at a line, worded like collector.DecodeStrict's.
type configError struct {
	line  int
	field string
	err   error
}

func (e *configError) Error() string {
	return fmt.Sprintf("line %d: %s: %v", e.line, e.field, e.err)
}

func (e *configError) Unwrap() error { return e.err }

// compiler validates a decoded Config against its YAML node, for line numbers.
type compiler struct {
	node *yaml.Node
	cfg  *Config
}

// fail reports err at the key path (e.g. "columns", "created"); when the key is absent the line
// is the deepest enclosing one that exists.
func (c *compiler) fail(err error, path ...string) error {
	return &configError{line: collector.LineOf(c.node, keyPath(path)...), field: strings.Join(path, "."), err: err}
}

// failf is fail with a formatted message.
func (c *compiler) failf(path []string, format string, args ...any) error {
	return c.fail(fmt.Errorf(format, args...), path...)
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

// compile validates cfg and builds the plan. node is the block cfg was decoded from.
func compile(node *yaml.Node, cfg *Config, opts collector.Options) (*plan, error) {
	c := &compiler{node: node, cfg: cfg}
	p := &plan{dir: opts.Dir, constants: cfg.Constants, seriesDef: opts.Name, source: opts.Name, maxSize: int64(cmp.Or(cfg.MaxSize, defaultMaxSize))}
	steps := []func(*plan) error{c.path, c.kind, c.options, c.columns, c.timeFormat, c.tickets, c.uptime}
	for _, step := range steps {
		if err := step(p); err != nil {
			return nil, err
		}
	}
	p.nulls = map[string]bool{"": true}
	for _, v := range cfg.NullValues {
		p.nulls[strings.TrimSpace(v)] = true
	}
	fp, err := json.Marshal(struct {
		V   int
		Cfg *Config
		Dir string
	}{parserVersion, cfg, opts.Dir})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(fp)
	p.fingerprint = hex.EncodeToString(sum[:16])
	return p, nil
}

func (c *compiler) path(p *plan) error {
	path := c.cfg.Path
	switch {
	case path != "" && c.cfg.URL != "":
		return c.failf([]string{"url"}, "set either path (a local file) or url, not both")
	case c.cfg.URL != "":
		return c.url(p)
	case path == "":
		return c.fail(errors.New("required: the file to read, or a glob (or url, to fetch the export over HTTP)"), "path")
	}
	for _, key := range []string{"http_client_config", "headers"} {
		if hasKey(c.node, key) {
			return c.failf([]string{key}, "applies to url, not path")
		}
	}
	p.extOf, p.rawPath = path, path
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.dir, path)
	}
	p.pattern = filepath.Clean(path)
	if strings.ContainsAny(c.cfg.Path, "*?[") {
		if _, err := filepath.Match(p.pattern, ""); err != nil {
			return c.failf([]string{"path"}, "%q is not a valid glob: %v", c.cfg.Path, err)
		}
		p.glob = true
	}
	return nil
}

// kind settles format, content and layout.
func (c *compiler) kind(p *plan) error {
	cfg := c.cfg
	p.format = strings.ToLower(cfg.Format)
	ext := strings.ToLower(filepath.Ext(p.extOf))
	switch p.format {
	case "":
		switch ext {
		case ".csv", ".tsv":
			p.format = formatCSV
		case ".json":
			p.format = formatJSON
		case ".ndjson", ".jsonl":
			p.format = formatNDJSON
		default:
			if p.fetch != nil {
				return c.failf([]string{"url"}, "the extension of %q does not tell the format: set format (csv, json or ndjson)", p.fetch.display)
			}
			return c.failf([]string{"path"}, "the extension of %q does not tell the format: set format (csv, json or ndjson)", cfg.Path)
		}
	case formatCSV, formatJSON, formatNDJSON:
	default:
		return c.failf([]string{"format"}, "%q is not a format (want csv, json or ndjson)", cfg.Format)
	}
	p.content = strings.ToLower(cmp.Or(cfg.Content, contentTickets))
	switch p.content {
	case contentTickets:
		p.layout = strings.ToLower(cmp.Or(cfg.Layout, layoutRow))
		if p.layout != layoutRow && p.layout != layoutEventLog {
			return c.failf([]string{"layout"}, "%q is not a layout (want one_row_per_ticket or event_log)", cfg.Layout)
		}
	case contentUptime, contentEvents:
		if cfg.Layout != "" {
			return c.failf([]string{"layout"}, "applies to tickets, not %s", p.content)
		}
	default:
		return c.failf([]string{"content"}, "%q is not a content (want tickets, uptime or events)", cfg.Content)
	}
	return nil
}

// options checks the format options.
func (c *compiler) options(p *plan) error {
	o := c.cfg.CSV
	if p.format != formatCSV && (o != CSVOptions{}) {
		return c.failf([]string{"csv"}, "applies to the csv format, not %s", p.format)
	}
	if p.format != formatJSON && c.cfg.JSON.Records != "" {
		return c.failf([]string{"json", "records"}, "applies to the json format, not %s", p.format)
	}
	p.delimiter = ','
	if strings.EqualFold(filepath.Ext(p.extOf), ".tsv") {
		p.delimiter = '\t'
	}
	var err error
	if o.Delimiter != "" {
		if p.delimiter, err = oneChar(o.Delimiter); err != nil {
			return c.fail(err, "csv", "delimiter")
		}
	}
	if o.Comment != "" {
		if p.comment, err = oneChar(o.Comment); err != nil {
			return c.fail(err, "csv", "comment")
		}
		if p.comment == p.delimiter {
			return c.failf([]string{"csv", "comment"}, "%q is also the delimiter", o.Comment)
		}
	}
	p.lazyQuotes = o.LazyQuotes
	if r := c.cfg.JSON.Records; r != "" {
		p.records = strings.Split(r, ".")
		if slices.Contains(p.records, "") {
			return c.failf([]string{"json", "records"}, "%q has an empty key", r)
		}
	}
	return nil
}

// oneChar checks a CSV delimiter or comment character.
func oneChar(s string) (rune, error) {
	r, n := utf8.DecodeRuneInString(s)
	switch {
	case n != len(s):
		return 0, fmt.Errorf("%q is not one character", s)
	case r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError:
		return 0, fmt.Errorf("%q cannot separate CSV fields", s)
	}
	return r, nil
}

// applies lists, per content (and layout), the slots it uses, and which are required.
var applies = map[string]struct{ use, need []slot }{
	layoutRow: {
		use:  []slot{sID, sCreated, sStatus, sStatusTime, sPriority, sType, sGroup, sFirstResponse, sResolved, sClosed, sReassignments, sRating, sWorkTime},
		need: []slot{sID, sCreated},
	},
	layoutEventLog: {
		use:  []slot{sID, sCreated, sStatus, sStatusTime, sSequence, sPriority, sType, sGroup, sFirstResponse, sReassignments, sRating, sWorkTime},
		need: []slot{sID, sStatus, sStatusTime},
	},
	"samples": {use: []slot{sTime, sState, sSeries}, need: []slot{sTime, sState}},
	"outages": {use: []slot{sStart, sEnd, sState, sSeries}, need: []slot{sStart}},
	contentEvents: {
		use:  []slot{sTime, sGood, sBad, sTotal, sSeries},
		need: []slot{sTime, sTotal},
	},
}

// columns checks the column mapping against the content.
func (c *compiler) columns(p *plan) error {
	col := c.cfg.Columns
	p.cols = []string{col.ID, col.Created, col.Status, col.StatusTime, col.Priority, col.Type, col.Group,
		col.FirstResponse, col.Resolved, col.Closed, col.Reassignments, col.Rating, col.Time, col.State,
		col.Series, col.Start, col.End, col.Good, col.Bad, col.Total, col.Sequence, col.WorkTime}
	for i := range p.cols {
		p.cols[i] = strings.TrimSpace(p.cols[i])
		p.colLines = append(p.colLines, collector.LineOf(c.node, "columns", slotKeys[i]))
	}
	what := p.content
	switch p.content {
	case contentTickets:
		what = p.layout
	case contentUptime:
		what = "samples"
		if p.mapped(sStart) || p.mapped(sEnd) {
			if p.mapped(sTime) {
				return c.failf([]string{"columns", "time"}, "uptime rows are samples (time, state) or outages (start, end), not both")
			}
			what, p.outages = "outages", true
		}
	}
	a := applies[what]
	for s := range nSlots {
		if p.mapped(s) && !slices.Contains(a.use, s) {
			why := ""
			switch s {
			case sResolved, sClosed:
				why = " (an event log's history comes from its status rows; resolved and closed columns build the history of one_row_per_ticket)"
			case sSequence:
				why = " (it orders the rows of a ticket in an event_log)"
			}
			return c.failf([]string{"columns", slotKeys[s]}, "does not apply to %s%s", describe(p, what), why)
		}
	}
	for _, s := range a.need {
		if !p.mapped(s) {
			return c.failf([]string{"columns", slotKeys[s]}, "required for %s", describe(p, what))
		}
	}
	if p.content == contentEvents && p.mapped(sGood) == p.mapped(sBad) {
		return c.failf([]string{"columns", "good"}, "map one of good or bad (good = total - bad)")
	}
	if len(col.Fields) > 0 && p.content != contentTickets {
		return c.failf([]string{"columns", "fields"}, "applies to tickets, not %s", p.content)
	}
	for _, name := range sortedKeys(col.Fields) {
		column := strings.TrimSpace(col.Fields[name])
		if name == "" || column == "" {
			return c.failf([]string{"columns", "fields", name}, "a field needs a name and a column")
		}
		p.fieldNames = append(p.fieldNames, name)
		p.cols = append(p.cols, column)
		p.colLines = append(p.colLines, collector.LineOf(c.node, "columns", "fields", name))
	}
	k := c.cfg.Constants
	if p.content != contentTickets && (k.Priority != "" || k.Type != "" || k.Group != "" || len(k.Fields) > 0) {
		return c.failf([]string{"constants"}, "priority, type, group and fields apply to tickets, not %s", p.content)
	}
	if p.content == contentTickets && k.Series != "" {
		return c.failf([]string{"constants", "series"}, "applies to uptime and events, not tickets")
	}
	p.paths = make([][]string, len(p.cols))
	for i, name := range p.cols {
		if name != "" {
			p.paths[i] = strings.Split(name, ".")
		}
	}
	return nil
}

func describe(p *plan, what string) string {
	switch what {
	case layoutRow, layoutEventLog:
		return "layout " + what
	case "samples":
		return "uptime samples"
	case "outages":
		return "uptime outage rows"
	}
	return p.content
}

// tickets checks the ticket options.
func (c *compiler) tickets(p *plan) error {
	cfg := c.cfg
	tickets := p.content == contentTickets
	st := cfg.Statuses
	lists := []struct {
		key   string
		names []string
		cat   ticket.Category
	}{{"open", st.Open, ticket.Open}, {"paused", st.Paused, ticket.Paused}, {"resolved", st.Resolved, ticket.Resolved},
		{"closed", st.Closed, ticket.Closed}, {"cancelled", st.Cancelled, ticket.Cancelled}}
	p.statuses, p.statusesAsIs = map[string]ticket.Category{}, map[string]ticket.Category{}
	p.stopNames = map[ticket.Category]string{ticket.Resolved: "resolved", ticket.Closed: "closed"}
	for _, l := range lists {
		for i, name := range l.names {
			key := strings.ToLower(strings.TrimSpace(name))
			if key == "" {
				return c.failf([]string{"statuses", l.key}, "entry %d is empty", i)
			}
			if prev, dup := p.statuses[key]; dup {
				return c.failf([]string{"statuses", l.key}, "%q is also listed under %s", name, prev)
			}
			p.statuses[key] = l.cat
			p.statusesAsIs[strings.TrimSpace(name)] = l.cat
			if i == 0 && (l.cat == ticket.Resolved || l.cat == ticket.Closed) {
				p.stopNames[l.cat] = strings.TrimSpace(name)
			}
		}
	}
	if cfg.DefaultCategory != "" {
		cat, err := ticket.ParseCategory(cfg.DefaultCategory)
		if err != nil {
			return c.fail(err, "default_category")
		}
		p.defaultCategory = cat
	}
	switch {
	case !tickets && (len(p.statuses) > 0 || cfg.DefaultCategory != ""):
		return c.failf([]string{"statuses"}, "applies to tickets, not %s", p.content)
	case tickets && p.mapped(sStatus) && len(p.statuses) == 0 && p.defaultCategory == ticket.Unmapped:
		return c.failf([]string{"statuses"}, "required with columns.status: list the status names of each category (open, paused, resolved, closed, cancelled), or set default_category")
	case tickets && !p.mapped(sStatus) && (len(p.statuses) > 0 || cfg.DefaultCategory != "") && p.layout == layoutRow && !p.mapped(sResolved) && !p.mapped(sClosed):
		return c.failf([]string{"statuses"}, "columns.status is not mapped, so no status is read")
	}
	if len(cfg.ResponseStatuses) > 0 {
		switch {
		case p.layout != layoutEventLog:
			return c.failf([]string{"response_statuses"}, "applies to layout event_log")
		case p.mapped(sFirstResponse):
			return c.failf([]string{"response_statuses"}, "set either response_statuses or columns.first_response, not both")
		}
		p.responses = map[string]bool{}
		for _, name := range cfg.ResponseStatuses {
			p.responses[strings.ToLower(strings.TrimSpace(name))] = true
		}
	}
	r := cfg.Ratings
	hasRatings := len(r.Good)+len(r.Bad) > 0
	switch {
	case hasRatings && !p.mapped(sRating):
		return c.failf([]string{"ratings"}, "columns.rating is not mapped, so no rating is read")
	case !hasRatings && p.mapped(sRating):
		return c.failf([]string{"columns", "rating"}, "ratings is empty: list the answers that are good and bad")
	}
	p.ratings = map[string]ticket.Rating{}
	for _, l := range []struct {
		key    string
		values []string
		rating ticket.Rating
	}{{"good", r.Good, ticket.Good}, {"bad", r.Bad, ticket.Bad}} {
		for _, v := range l.values {
			key := strings.ToLower(strings.TrimSpace(v))
			if prev, dup := p.ratings[key]; dup && prev != l.rating {
				return c.failf([]string{"ratings", l.key}, "%q is both good and bad", v)
			}
			p.ratings[key] = l.rating
		}
	}
	return nil
}

// uptime checks the uptime options.
func (c *compiler) uptime(p *plan) error {
	cfg := c.cfg
	s := cfg.States
	hasStates := len(s.Up)+len(s.Down)+len(s.Degraded)+len(s.Unknown) > 0
	if p.content != contentUptime {
		if hasStates {
			return c.failf([]string{"states"}, "applies to uptime, not %s", p.content)
		}
		if cfg.Coverage.From != "" || cfg.Coverage.To != "" || len(cfg.Coverage.Series) > 0 {
			return c.failf([]string{"coverage"}, "applies to uptime outage rows, not %s", p.content)
		}
		return nil
	}
	if !hasStates {
		s = States{Up: []string{"up", "1", "true"}, Down: []string{"down", "0", "false"}, Degraded: []string{"degraded"}, Unknown: []string{"unknown"}}
	}
	p.states = map[string]availability.State{}
	for _, l := range []struct {
		key    string
		values []string
		state  availability.State
	}{{"up", s.Up, availability.Up}, {"down", s.Down, availability.Down}, {"degraded", s.Degraded, availability.Degraded}, {"unknown", s.Unknown, availability.Unknown}} {
		for _, v := range l.values {
			key := strings.ToLower(strings.TrimSpace(v))
			if prev, dup := p.states[key]; dup {
				return c.failf([]string{"states", l.key}, "%q is also listed under %s", v, prev)
			}
			p.states[key] = l.state
		}
	}
	cov := cfg.Coverage
	if !p.outages {
		if cov.From != "" || cov.To != "" || len(cov.Series) > 0 {
			return c.failf([]string{"coverage"}, "applies to outage rows (columns.start), not samples")
		}
		return nil
	}
	if cov.From == "" {
		return c.failf([]string{"coverage", "from"}, "required with outage rows: the time (RFC 3339) since when the file records every outage")
	}
	var err error
	if p.coverFrom, err = time.Parse(time.RFC3339, cov.From); err != nil {
		return c.failf([]string{"coverage", "from"}, "%q is not an RFC 3339 time (2024-01-31T00:00:00Z)", cov.From)
	}
	if cov.To != "" {
		if p.coverTo, err = time.Parse(time.RFC3339, cov.To); err != nil {
			return c.failf([]string{"coverage", "to"}, "%q is not an RFC 3339 time (2024-01-31T00:00:00Z)", cov.To)
		}
		if !p.coverTo.After(p.coverFrom) {
			return c.failf([]string{"coverage", "to"}, "%s is not after coverage.from %s", cov.To, cov.From)
		}
	}
	p.coverSeries = cov.Series
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// keyPath turns a path of keys into the path collector.LineOf takes.
func keyPath(keys []string) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}
