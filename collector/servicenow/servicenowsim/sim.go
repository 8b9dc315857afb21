// Package servicenowsim is a ServiceNow Table API simulator for tests, written from ServiceNow's
// documentation and kept apart from the client (collector/servicenow), so that the client is
// tested against what ServiceNow documents, not against itself. It keeps the incident,
// change_request, sys_audit, task_sla, contract_sla and sys_user_group tables of one instance,
// runs an SLA engine that maintains task_sla as ServiceNow's does (sla.go), and serves them over
// httptest.
//
// Documents followed:
//   - Table API, GET /api/now/table/{tableName} (also /api/now/v1/table and /v2/table): the
//     sysparm_query, sysparm_fields (dot-walked fields such as assignment_group.name included),
//     sysparm_display_value (false: the stored values, dates in UTC as "yyyy-MM-dd HH:mm:ss";
//     true: display values, dates in the user's time zone, choice labels; all: both),
//     sysparm_exclude_reference_link, sysparm_limit (default 10,000), sysparm_offset and
//     sysparm_no_count parameters; the {"result": [...]} body, the X-Total-Count header and the
//     Link header (rel first, prev, next, last); the {"error": {"message", "detail"},
//     "status": "failure"} error body: https://www.servicenow.com/docs/bundle/xanadu-api-reference/page/integrate/inbound-rest/concept/c_TableAPI.html
//     and the Table API OpenAPI description in michaeldcanady/servicenow-sdk-go,
//     cmd/generator/table_openapi.json@01c0b722;
//   - encoded query strings (query.go);
//   - inbound REST API rate limiting: per user and hour, X-RateLimit-Limit, X-RateLimit-Reset
//     (Unix seconds), X-RateLimit-Rule (the rule's sys_id) on answers a rule covers, 429 with
//     Retry-After (seconds) past the limit:
//     https://www.servicenow.com/docs/bundle/xanadu-api-reference/page/integrate/inbound-rest/concept/inbound-REST-API-rate-limiting.html;
//   - OAuth: POST /oauth_token.do (grant_type client_credentials or password) answering
//     {access_token, token_type "Bearer", expires_in, scope}; 401 {"error": "access_denied"}
//     for a refused client;
//   - the incident and change_request fields and choices: state (incident 1 New, 2 In
//     Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled; change_request -5 New ... 3
//     Closed, 4 Canceled), hold_reason, priority 1-5, reopen_count, reassignment_count,
//     close_code; and sys_audit (tablename, documentkey, fieldname, oldvalue, newvalue,
//     record_checkpoint, sys_created_on), one row per changed field of an update:
//     ../shared/reference/itsm.md §3 and the base system's dictionary;
//   - rows hidden by read ACLs leave a page short without changing the paging ("Number of rows
//     removed from this list by Security constraints").
//
// What it does not model: other tables, encoded-query operators beyond query.go's, ^NQ,
// sysparm_view, domain separation, journal fields, the 2010 SLA engine, SLA schedules beyond
// weekly spans with closed dates, relative durations ("end of next business day").
package servicenowsim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
)

// record is a row: field name to stored value (display values are made when answering).
type record map[string]string

// Fields are field values given to or read from the simulator.
type Fields map[string]string

// table is one table: its columns, which of them reference which table, and its rows.
type table struct {
	name    string
	columns []string
	refs    map[string]string
	rows    []record
}

func (t *table) add(r record) { t.rows = append(t.rows, r) }

func (t *table) has(field string) bool { return slices.Contains(t.columns, field) }

// taskColumns are the columns incident and change_request share with task.
var taskColumns = []string{"sys_id", "number", "sys_class_name", "state", "priority", "impact", "urgency", "category",
	"short_description", "assignment_group", "assigned_to", "opened_at", "closed_at", "close_code", "active",
	"reassignment_count", "contact_type", "company", "sys_created_on", "sys_updated_on", "sys_mod_count",
	// The Task table's Time worked, a duration: with display values off a date-time from the
	// epoch ("1970-01-01 00:38:00"), empty on a record whose timer never ran.
	"time_worked"}

func newTables() map[string]*table {
	taskRefs := map[string]string{"assignment_group": "sys_user_group", "assigned_to": "sys_user", "company": "core_company"}
	return map[string]*table{
		"incident": {name: "incident", refs: taskRefs,
			columns: append(slices.Clone(taskColumns), "hold_reason", "resolved_at", "reopen_count", "caller_id")},
		"change_request": {name: "change_request", refs: taskRefs,
			columns: append(slices.Clone(taskColumns), "type", "risk", "start_date", "end_date")},
		"sys_audit": {name: "sys_audit", columns: []string{"sys_id", "tablename", "documentkey", "fieldname", "oldvalue", "newvalue",
			"record_checkpoint", "user", "reason", "sys_created_on"}},
		"task_sla": {name: "task_sla", refs: map[string]string{"task": "task", "sla": "contract_sla"},
			columns: []string{"sys_id", "task", "sla", "stage", "active", "has_breached", "start_time", "end_time", "planned_end_time",
				"original_breach_time", "pause_time", "pause_duration", "business_pause_duration", "business_duration", "duration",
				"percentage", "business_percentage", "time_left", "business_time_left", "schedule", "timezone",
				"sys_created_on", "sys_updated_on"}},
		"contract_sla":   {name: "contract_sla", columns: []string{"sys_id", "name", "target", "type", "collection", "duration", "schedule"}},
		"sys_user_group": {name: "sys_user_group", columns: []string{"sys_id", "name"}},
	}
}

// Fault is a failure the simulator answers with.
type Fault struct {
	// Endpoint is the requests it applies to: a table name ("incident", "sys_audit",
	// "task_sla"), "oauth" (the token endpoint), or "" for any.
	Endpoint string
	// After lets this many matching requests through first; Times is how many it then hits
	// (0: every one until Clear).
	After, Times int
	// Status answers with this status and ServiceNow's error body; with RetryAfter set, a
	// Retry-After header too.
	Status     int
	RetryAfter string
	// Truncate sends the right answer's JSON cut in half; BadJSON a body that is not JSON;
	// HTML a 200 with an HTML page, as a hibernating developer instance answers.
	Truncate, BadJSON, HTML bool
	// Delay holds the answer this long (or until the client gives up).
	Delay time.Duration
	// Revoke refuses every credential from this request on (the password changed, the OAuth
	// client disabled, its tokens revoked), until Restore.
	Revoke bool
}

// Scope is the requests the fault hits (apitest.Scoped).
func (f Fault) Scope() (endpoint string, after, times int) { return f.Endpoint, f.After, f.Times }

// Options configure a simulator.
type Options struct {
	// User and Password are accepted as basic auth, and for the OAuth password grant.
	User, Password string
	// ClientID and ClientSecret are the OAuth client /oauth_token.do accepts; TokenTTL its
	// tokens' lifespan (default 1800s, ServiceNow's default).
	ClientID, ClientSecret string
	TokenTTL               time.Duration
	// RateLimit is the requests an hour a rate limit rule allows the user; 0: no rule.
	RateLimit int
	// UserZone is the API user's time zone, for display values (default UTC).
	UserZone *time.Location
	// NoInsertAudit leaves inserts out of sys_audit (glide.sys.audit_inserts false): the first
	// audit row of a field is then its first change.
	NoInsertAudit bool
	// StrictQueries drops every row for a query naming a field the table has not
	// (glide.invalid_query.returns_no_rows); by default such a condition is left out.
	StrictQueries bool
	// Now is the clock of the records' times and of the rate limit (default time.Now).
	Now func() time.Time
}

// Request is one request the simulator answered, for tests of what a client sends.
type Request struct {
	Endpoint string
	Query    url.Values
}

// Server is a simulated ServiceNow instance.
type Server struct {
	*httptest.Server
	apitest.Plumbing[Fault]

	mu     sync.Mutex
	o      Options
	now    func() time.Time
	tables map[string]*table
	defs   []*slaDef
	hidden map[string]bool // sys_ids a read ACL hides
	// hiddenTables are the tables whose every row a read ACL hides.
	hiddenTables map[string]bool
	revoked      bool
	tokens       map[string]time.Time // access token to expiry
	window       time.Time            // the rate limit's current hour
	used         int
	seq          int
	numbers      map[string]int
	// byNumber finds a task by its number.
	byNumber map[string]record
	log      []Request
	// afterServe runs after each table request is answered, outside the lock.
	afterServe func(endpoint string, n int)
	served     map[string]int
}

// rateRule is the sys_id of the simulated rate limit rule.
const rateRule = "3f2a1c8e9b7d4e6fa1c2d3e4f5a6b7c8"

// New starts a simulator.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = 1800 * time.Second
	}
	if o.UserZone == nil {
		o.UserZone = time.UTC
	}
	s := &Server{o: o, now: o.Now, tables: newTables(), hidden: map[string]bool{}, hiddenTables: map[string]bool{}, tokens: map[string]time.Time{},
		numbers: map[string]int{}, served: map[string]int{}, byNumber: map[string]record{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AfterServe sets a function run after each table request is answered, with the table and
// the number of requests to it so far: a test changes records between two pages with it.
func (s *Server) AfterServe(f func(endpoint string, n int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.afterServe = f
}

// Log returns the requests answered so far.
func (s *Server) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// SetRateLimit changes the requests an hour the rate limit rule allows (0: no rule), as an
// administrator editing the rule; the hour's count is kept.
func (s *Server) SetRateLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.o.RateLimit = n
}

// Revoke refuses every credential until Restore.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked, s.tokens = true, map[string]time.Time{}
}

// Restore accepts the configured credentials again.
func (s *Server) Restore() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = false
}

// newID returns a sys_id: 32 lower-case hex digits, as random-looking as ServiceNow's (so that
// their order is not the order of creation) and the same on every run. Callers hold mu.
func (s *Server) newID() string {
	s.seq++
	h := sha256.Sum256([]byte(strconv.Itoa(s.seq)))
	return hex.EncodeToString(h[:16])
}

// stamp writes a time as ServiceNow stores it: UTC, "yyyy-MM-dd HH:mm:ss".
func stamp(t time.Time) string { return t.UTC().Format(time.DateTime) }

func parseStamp(v string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateTime, v, time.UTC)
	return t, err == nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	endpoint, tname := route(r.URL.Path)
	s.mu.Lock()
	fault := s.Hit(endpoint)
	s.mu.Unlock()
	if fault != nil && !apitest.Hold(r, fault.Delay) {
		return
	}
	if endpoint == "oauth" {
		s.token(w, r, fault)
		return
	}
	served := s.answer(w, r, endpoint, tname, fault)
	s.mu.Lock()
	after := s.afterServe
	s.served[endpoint]++
	n := s.served[endpoint]
	s.mu.Unlock()
	if served && after != nil {
		after(endpoint, n)
	}
}

// route names the endpoint of a path: "oauth", the table name, or "other".
func route(path string) (string, string) {
	if path == "/oauth_token.do" {
		return "oauth", ""
	}
	for _, prefix := range []string{"/api/now/table/", "/api/now/v1/table/", "/api/now/v2/table/"} {
		if rest, ok := strings.CutPrefix(path, prefix); ok && rest != "" && !strings.Contains(rest, "/") {
			return rest, rest
		}
	}
	return "other", ""
}

// answer serves a table request; it says whether the request got to the table.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, endpoint, tname string, fault *Fault) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if fault != nil && fault.Revoke {
		s.revoked, s.tokens = true, map[string]time.Time{}
	}
	h := w.Header()
	h.Set("Date", now.UTC().Format(http.TimeFormat))
	if !s.authorized(r, now) {
		writeError(w, http.StatusUnauthorized, "User Not Authenticated", "Required to provide Auth information")
		return false
	}
	if !s.rateLimit(w, now) {
		return false
	}
	if fault != nil && fault.Status != 0 {
		if fault.RetryAfter != "" {
			h.Set("Retry-After", fault.RetryAfter)
		}
		writeError(w, fault.Status, http.StatusText(fault.Status), "")
		return false
	}
	if fault != nil && fault.HTML {
		h.Set("Content-Type", "text/html;charset=UTF-8")
		_, _ = w.Write([]byte("<html><head><title>Instance Hibernating page</title></head><body>Your instance is hibernating.</body></html>"))
		return false
	}
	t := s.tables[tname]
	if r.Method != http.MethodGet || t == nil || endpoint == "other" {
		if t == nil && endpoint != "other" {
			writeError(w, http.StatusBadRequest, "Invalid table "+tname, "")
		} else {
			writeError(w, http.StatusBadRequest, "Requested URI does not represent any resource", "")
		}
		return false
	}
	s.log = append(s.log, Request{Endpoint: endpoint, Query: r.URL.Query()})
	s.breachJobs(now)
	body, err := s.list(w, r, t)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), "")
		return false
	}
	switch {
	case fault != nil && fault.Truncate:
		body = body[:len(body)/2]
	case fault != nil && fault.BadJSON:
		body = []byte(`{"result":[{"sys_id": "x",, "number": "INC0010001"}]}`)
	}
	h.Set("Content-Type", "application/json;charset=UTF-8")
	_, _ = w.Write(body)
	return true
}

// authorized checks basic auth or a bearer token. Callers hold mu.
func (s *Server) authorized(r *http.Request, now time.Time) bool {
	if s.revoked {
		return false
	}
	if user, pass, ok := r.BasicAuth(); ok {
		return s.o.User != "" && user == s.o.User && pass == s.o.Password
	}
	kind, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	exp, ok := s.tokens[tok]
	return strings.EqualFold(kind, "bearer") && ok && now.Before(exp)
}

// rateLimit counts the request against the hour's limit and sets the rule's headers; false
// (answered 429) past the limit. Callers hold mu.
func (s *Server) rateLimit(w http.ResponseWriter, now time.Time) bool {
	if s.o.RateLimit <= 0 {
		return true
	}
	hour := now.UTC().Truncate(time.Hour)
	if !hour.Equal(s.window) {
		s.window, s.used = hour, 0
	}
	reset := hour.Add(time.Hour)
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.o.RateLimit))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Rule", rateRule)
	if s.used >= s.o.RateLimit {
		h.Set("Retry-After", strconv.FormatInt(int64(reset.Sub(now).Seconds()+0.999), 10))
		writeError(w, http.StatusTooManyRequests, "Rate limit exceeded",
			fmt.Sprintf("Rate limit of %d requests per hour exceeded for the rule %s", s.o.RateLimit, rateRule))
		return false
	}
	s.used++
	return true
}

// token serves POST /oauth_token.do.
func (s *Server) token(w http.ResponseWriter, r *http.Request, fault *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fault != nil && fault.Revoke {
		s.revoked, s.tokens = true, map[string]time.Time{}
	}
	if fault != nil && fault.Status != 0 {
		writeError(w, fault.Status, http.StatusText(fault.Status), "")
		return
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeError(w, http.StatusBadRequest, "Requested URI does not represent any resource", "")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	grant := r.PostForm.Get("grant_type")
	okGrant := grant == "client_credentials" ||
		grant == "password" && r.PostForm.Get("username") == s.o.User && r.PostForm.Get("password") == s.o.Password
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	if s.revoked || s.o.ClientID == "" || id != s.o.ClientID || secret != s.o.ClientSecret || !okGrant {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error_description":"access_denied","error":"server_error"}`))
		return
	}
	tok := s.newID()
	s.tokens[tok] = s.now().Add(s.o.TokenTTL)
	_, _ = fmt.Fprintf(w, `{"access_token":%q,"scope":"useraccount","token_type":"Bearer","expires_in":%d}`, tok, int(s.o.TokenTTL.Seconds()))
}

func writeError(w http.ResponseWriter, code int, msg, detail string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(code)
	d := "null"
	if detail != "" {
		d = strconv.Quote(detail)
	}
	_, _ = fmt.Fprintf(w, `{"error":{"message":%s,"detail":%s},"status":"failure"}`, strconv.Quote(msg), d)
}
