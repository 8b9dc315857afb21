package file

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
)

// rowTicketsCSV maps testdata/row_tickets.csv; %s is the line locating it (path: or url:).
const rowTicketsCSV = `file:
  %s
  format: csv
  columns:
    id: id
    created: opened
    status: state
    status_time: updated
    priority: prio
    group: team
    first_response: first_reply
    resolved: resolved
    closed: closed
    reassignments: reassigned
    rating: csat
    fields: {service: service, customer: customer}
  time: {layout: "2006-01-02 15:04", timezone: Europe/Rome}` + rowTicketsCommon

// fixture reads a file of testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serve starts a server answering every request with h and closes it at the end of the test.
func serve(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// newURLSource builds a source named probe from a file: block, with relative paths under dir and
// requests counted in req (which may be nil).
func newURLSource(t testing.TB, dir, text string, req *collector.Requests) *Source {
	t.Helper()
	src, err := New(block(t, text), collector.Options{Name: "probe", Dir: dir, Requests: req})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { src.(*Source).Close() })
	return src.(*Source)
}

// syncErr runs one sync that must fail, and returns its error.
func syncErr(t testing.TB, src collector.Source, cp []byte) error {
	t.Helper()
	b, err := src.Sync(context.Background(), cp)
	if err == nil {
		t.Fatalf("Sync succeeded with %d tickets, want an error", len(b.Tickets))
	}
	return err
}

// renamed rewrites the file name in a batch's rejections, as read from a URL instead.
func renamed(b collector.Batch, from, to string) collector.Batch {
	for i, r := range b.Rejected {
		b.Rejected[i] = collector.Rejection{Where: strings.ReplaceAll(r.Where, from, to), Reason: strings.ReplaceAll(r.Reason, from, to)}
	}
	return b
}

// TestURL_sameAsFile: an export fetched from a URL gives the batch the same file gives, its
// rejections named after the URL's path without the query.
func TestURL_sameAsFile(t *testing.T) {
	jsonConfig := `file:
  %s
  format: json
  json: {records: result}
  columns:
    id: number
    created: opened_at
    status: state
    status_time: sys_updated_on
    priority: priority.value
    group: assignment_group.display_value
    first_response: first_reply
    resolved: resolved_at
    closed: closed_at
    reassignments: reassignment_count
    rating: csat
    fields: {service: service, customer: customer}` + rowTicketsCommon
	tests := []struct {
		name, file, config, urlPath, where string
	}{
		{"ServiceNow list export as CSV", "row_tickets.csv", rowTicketsCSV, "/incident_list.do?CSV&sysparm_query=active%3Dtrue", "incident_list.do"},
		{"REST API answering {result: [...]}", "row_tickets.json", jsonConfig, "/api/now/table/incident?sysparm_display_value=all", "api/now/table/incident"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := fixture(t, tt.file)
			var gotURI string
			ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
				gotURI = r.URL.RequestURI()
				w.Write(data)
			})
			want := syncOK(t, newSource(t, "testdata", fmt.Sprintf(tt.config, "path: "+tt.file)), nil)
			got := syncOK(t, newURLSource(t, t.TempDir(), fmt.Sprintf(tt.config, "url: "+ts.URL+tt.urlPath), nil), nil)
			if gotURI != tt.urlPath {
				t.Errorf("requested %s, want %s", gotURI, tt.urlPath)
			}
			if len(got.Rejected) == 0 || !strings.HasPrefix(got.Rejected[0].Where, tt.where+":") {
				t.Errorf("rejections %v are not named %s:<line>", got.Rejected, tt.where)
			}
			if d := diffBatch(renamed(want, tt.file, tt.where), got); d != "" {
				t.Errorf("batch from the URL (-file +url):\n%s", d)
			}
		})
	}
}

func TestURL_gzipAndHeaders(t *testing.T) {
	data := fixture(t, "row_tickets.csv")
	var header http.Header
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		header = r.Header.Clone()
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Write(data)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		gz.Write(data)
		gz.Close()
	})
	config := fmt.Sprintf(rowTicketsCSV, "url: "+ts.URL+"/export.csv\n  headers: {Accept: text/csv, x-instance: prod}")
	got := syncOK(t, newURLSource(t, t.TempDir(), config, nil), nil)
	want := syncOK(t, newSource(t, "testdata", fmt.Sprintf(rowTicketsCSV, "path: row_tickets.csv")), nil)
	if d := diffBatch(renamed(want, "row_tickets.csv", "export.csv"), got); d != "" {
		t.Errorf("gzipped export (-want +got):\n%s", d)
	}
	if header.Get("Accept") != "text/csv" || header.Get("X-Instance") != "prod" || !strings.HasPrefix(header.Get("User-Agent"), "sla_exporter") {
		t.Errorf("request headers %v lack the configured ones or the user agent", header)
	}
}

// writeSecret writes a secret file in dir, with a trailing newline as editors leave it.
func writeSecret(t *testing.T, dir, name, secret string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

const smallURLConfig = `file:
  url: %s
  format: csv
  columns: {id: id, created: created, status: status}
  statuses: {open: [open], closed: [closed]}
`

func TestURL_basicAuthPasswordFile(t *testing.T) {
	const password = "tr0ub4dor-and-3-basic"
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "sla" || pass != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="itsm"`)
			http.Error(w, "User Not Authenticated", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, smallCSV)
	})
	dir := t.TempDir()
	writeSecret(t, dir, "itsm.password", password)
	writeSecret(t, dir, "wrong.password", password+"-not")
	withAuth := func(file string) string {
		return fmt.Sprintf(smallURLConfig, ts.URL+"/incident_list.do?CSV") +
			"  http_client_config:\n    basic_auth: {username: sla, password_file: " + file + "}\n"
	}
	b := syncOK(t, newURLSource(t, dir, withAuth("itsm.password"), nil), nil)
	if d := cmp.Diff([]string{"A", "B"}, ids(b)); d != "" {
		t.Errorf("tickets (-want +got):\n%s", d)
	}
	for name, config := range map[string]string{
		"no credentials": fmt.Sprintf(smallURLConfig, ts.URL+"/incident_list.do?CSV"),
		"wrong password": withAuth("wrong.password"),
	} {
		t.Run(name, func(t *testing.T) {
			err := syncErr(t, newURLSource(t, dir, config, nil), nil)
			want := "GET " + ts.URL + `/incident_list.do: HTTP 401 Unauthorized (credentials missing or refused: see http_client_config): "User Not Authenticated"`
			if err.Error() != want {
				t.Errorf("error:\n got %s\nwant %s", err, want)
			}
		})
	}
	t.Run("missing password file", func(t *testing.T) {
		err := syncErr(t, newURLSource(t, dir, withAuth("gone.password"), nil), nil)
		if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), filepath.Join(dir, "gone.password")) {
			t.Errorf("error %v does not say the password file (relative to the configuration) is missing", err)
		}
	})
}

func TestURL_bearerCredentialsFile(t *testing.T) {
	const token = "eyJhbGciOi.bearer-token.for-tests"
	var gotAuth atomic.Value
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
		switch r.Header.Get("Authorization") {
		case "Bearer " + token, "Token " + token:
			io.WriteString(w, `{"result": [{"id": "A", "created": "2024-01-01T00:00:00Z"}]}`)
		default:
			http.Error(w, `{"error": "invalid token"}`, http.StatusUnauthorized)
		}
	})
	dir := t.TempDir()
	writeSecret(t, dir, "token", token)
	for _, tc := range []struct{ auth, want string }{
		{"{credentials_file: token}", "Bearer " + token},
		{"{type: Token, credentials_file: token}", "Token " + token},
	} {
		config := `file:
  url: ` + ts.URL + `/api/now/table/incident
  format: json
  json: {records: result}
  columns: {id: id, created: created}
  http_client_config:
    authorization: ` + tc.auth + "\n"
		b := syncOK(t, newURLSource(t, dir, config, nil), nil)
		if len(b.Tickets) != 1 || gotAuth.Load() != tc.want {
			t.Errorf("%s: %d tickets, Authorization %q", tc.auth, len(b.Tickets), gotAuth.Load())
		}
	}
}

func TestURL_TLS(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, smallCSV) }))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	ts.StartTLS()
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), ca, 0o644); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf(smallURLConfig, ts.URL+"/export?format=csv")
	req := collector.NewRequests()
	for _, tls := range []string{"{ca_file: ca.pem}", "{insecure_skip_verify: true}"} {
		b := syncOK(t, newURLSource(t, dir, base+"  http_client_config:\n    tls_config: "+tls+"\n", req), nil)
		if len(b.Tickets) != 2 {
			t.Errorf("tls_config %s: %d tickets, want 2", tls, len(b.Tickets))
		}
	}
	err := syncErr(t, newURLSource(t, dir, base, req), nil)
	if !strings.Contains(err.Error(), "certificate") || !strings.HasPrefix(err.Error(), "GET "+ts.URL+"/export: ") {
		t.Errorf("error %q does not name the URL and the certificate problem", err)
	}
	err = syncErr(t, newURLSource(t, dir, base+"  http_client_config:\n    tls_config: {ca_file: missing.pem}\n", req), nil)
	if !strings.Contains(err.Error(), "http_client_config") || !strings.Contains(err.Error(), "missing.pem") {
		t.Errorf("error %q does not name the missing CA file", err)
	}
	if d := cmp.Diff(map[string]float64{"200": 2, collector.CodeError: 1}, req.Counts("probe")); d != "" {
		t.Errorf("request counts (-want +got):\n%s", d)
	}
}

// etagServer serves body with an ETag, honouring If-None-Match unless ignoreConditions is set,
// and remembers the conditional headers of each request.
type etagServer struct {
	mu               sync.Mutex
	body, etag       string
	ignoreConditions bool
	conditions       []string // "If-None-Match|If-Modified-Since" of each request
}

func (s *etagServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conditions = append(s.conditions, r.Header.Get("If-None-Match")+"|"+r.Header.Get("If-Modified-Since"))
	w.Header().Set("ETag", s.etag)
	if !s.ignoreConditions && r.Header.Get("If-None-Match") == s.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	io.WriteString(w, s.body)
}

func (s *etagServer) set(body, etag string, ignore bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.etag, s.ignoreConditions = body, etag, ignore
}

func TestURL_etag(t *testing.T) {
	srv := &etagServer{body: smallCSV, etag: `"v1"`}
	ts := serve(t, srv.ServeHTTP)
	req := collector.NewRequests()
	src := newURLSource(t, t.TempDir(), fmt.Sprintf(smallURLConfig, ts.URL+"/incident_list.do?CSV"), req)

	first := syncOK(t, src, nil)
	if !first.Replace || len(first.Tickets) != 2 {
		t.Fatalf("first sync: replace %v, %d tickets", first.Replace, len(first.Tickets))
	}
	var cp checkpoint
	if err := json.Unmarshal(first.Checkpoint, &cp); err != nil || cp.Fetch == nil || cp.Fetch.ETag != `"v1"` || cp.Fetch.SHA256 == "" {
		t.Fatalf("checkpoint %s: %v", first.Checkpoint, err)
	}
	if strings.Contains(string(first.Checkpoint), "127.0.0.1") {
		t.Errorf("the checkpoint %s holds the URL", first.Checkpoint)
	}

	// Not modified: nothing, the same checkpoint.
	second := syncOK(t, src, first.Checkpoint)
	if len(second.Tickets) != 0 || second.Replace || !bytes.Equal(second.Checkpoint, first.Checkpoint) {
		t.Errorf("after 304: %d tickets, replace %v, checkpoint %s (was %s)", len(second.Tickets), second.Replace, second.Checkpoint, first.Checkpoint)
	}

	// Changed: the new snapshot.
	srv.set(smallCSV+"C,2024-01-03T00:00:00Z,open\n", `"v2"`, false)
	third := syncOK(t, src, second.Checkpoint)
	if d := cmp.Diff([]string{"A", "B", "C"}, ids(third)); d != "" || !third.Replace {
		t.Errorf("changed export: replace %v, tickets (-want +got):\n%s", third.Replace, d)
	}

	// A server ignoring the condition, with the same contents under a new ETag: nothing, but the
	// checkpoint keeps the new ETag.
	srv.set(smallCSV+"C,2024-01-03T00:00:00Z,open\n", `"v3"`, true)
	fourth := syncOK(t, src, third.Checkpoint)
	if len(fourth.Tickets) != 0 || fourth.Replace || !strings.Contains(string(fourth.Checkpoint), `v3`) {
		t.Errorf("same contents, new ETag: %d tickets, replace %v, checkpoint %s", len(fourth.Tickets), fourth.Replace, fourth.Checkpoint)
	}

	// Another mapping does not send the old validators: it must read the export again.
	other := newURLSource(t, t.TempDir(), fmt.Sprintf(smallURLConfig, ts.URL+"/incident_list.do?CSV")+"  null_values: [n/a]\n", req)
	srv.set(smallCSV, `"v1"`, false)
	if b := syncOK(t, other, first.Checkpoint); len(b.Tickets) != 2 || !b.Replace {
		t.Errorf("another mapping from the same checkpoint: %d tickets, replace %v", len(b.Tickets), b.Replace)
	}

	// The third sync resumes from the second's checkpoint, the first's.
	want := []string{"|", `"v1"|`, `"v1"|`, `"v2"|`, "|"}
	if d := cmp.Diff(want, srv.conditions); d != "" {
		t.Errorf("If-None-Match|If-Modified-Since sent (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]float64{"200": 4, "304": 1}, req.Counts("probe")); d != "" {
		t.Errorf("request counts (-want +got):\n%s", d)
	}
}

func TestURL_lastModified(t *testing.T) {
	var (
		mu      sync.Mutex
		modTime = time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC)
		ims     []string
	)
	data := fixture(t, "uptime_outages.csv")
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		ims = append(ims, r.Header.Get("If-Modified-Since"))
		http.ServeContent(w, r, "outages.csv", modTime, bytes.NewReader(data))
	})
	config := `file:
  url: ` + ts.URL + `/reports/outages.csv?token=abc
  content: uptime
  columns: {series: service, start: from, end: to, state: severity}
  time: {layout: "2006-01-02 15:04"}
  states: {down: [major], degraded: [minor], up: [ok]}
  coverage: {from: "2024-01-01T00:00:00Z"}
`
	src := newURLSource(t, t.TempDir(), config, nil)
	first := syncOK(t, src, nil)
	if len(first.Uptime) != 2 || !first.Uptime[0].CoveredTo.Equal(modTime) {
		t.Fatalf("first sync: %d series, covered to %v, want the Last-Modified %v", len(first.Uptime), first.Uptime[0].CoveredTo, modTime)
	}
	if first.Rejected[0].Where != "reports/outages.csv:5" {
		t.Errorf("first rejection at %q, want reports/outages.csv:5", first.Rejected[0].Where)
	}
	second := syncOK(t, src, first.Checkpoint)
	if len(second.Uptime) != 0 || !bytes.Equal(second.Checkpoint, first.Checkpoint) {
		t.Errorf("not modified since: %d series, checkpoint changed %v", len(second.Uptime), !bytes.Equal(second.Checkpoint, first.Checkpoint))
	}
	// Touched, not changed: nothing, with the new time in the checkpoint.
	mu.Lock()
	modTime = modTime.Add(time.Hour)
	mu.Unlock()
	third := syncOK(t, src, second.Checkpoint)
	if len(third.Uptime) != 0 || third.Replace || bytes.Equal(third.Checkpoint, second.Checkpoint) {
		t.Errorf("touched: %d series, replace %v, checkpoint %s", len(third.Uptime), third.Replace, third.Checkpoint)
	}
	fourth := syncOK(t, src, third.Checkpoint)
	if len(fourth.Uptime) != 0 || !bytes.Equal(fourth.Checkpoint, third.Checkpoint) {
		t.Errorf("after the touch, not modified: %d series", len(fourth.Uptime))
	}
	want := []string{"", "Thu, 01 Feb 2024 12:00:00 GMT", "Thu, 01 Feb 2024 12:00:00 GMT", "Thu, 01 Feb 2024 13:00:00 GMT"}
	if d := cmp.Diff(want, ims); d != "" {
		t.Errorf("If-Modified-Since sent (-want +got):\n%s", d)
	}
}

func TestURL_304WithoutCondition(t *testing.T) {
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotModified) })
	err := syncErr(t, newURLSource(t, t.TempDir(), fmt.Sprintf(smallURLConfig, ts.URL+"/x.csv"), nil), nil)
	if !strings.Contains(err.Error(), "304 Not Modified to a request that was not conditional") {
		t.Errorf("error %v", err)
	}
}

// echoServer answers code with a body repeating the request: its URI (query and all) and its
// Authorization header, decoded too, as careless servers do.
func echoServer(t *testing.T, code int) *httptest.Server {
	return serve(t, func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		w.WriteHeader(code)
		fmt.Fprintf(w, "<html><body><h1>Internal error</h1>\n\tat %s (Authorization: %s, user %s, password %s) url=http://%s%s</body></html>",
			r.URL.RequestURI(), r.Header.Get("Authorization"), user, pass, r.Host, r.URL.RequestURI())
	})
}

// noSecret fails when text contains one of secrets.
func noSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s shows %q: %s", what, s, text)
		}
	}
}

func TestURL_errorsHideCredentials(t *testing.T) {
	const (
		password = "Pa55w0rd-from-a-file"
		apiKey   = "SECRET0123456789"
	)
	dir := t.TempDir()
	writeSecret(t, dir, "pw", password)
	basic := base64.StdEncoding.EncodeToString([]byte("sla:" + password))

	t.Run("500 from a server echoing the request", func(t *testing.T) {
		ts := echoServer(t, http.StatusInternalServerError)
		config := fmt.Sprintf(smallURLConfig, ts.URL+"/incident_list.do?CSV&apikey="+apiKey) +
			"  http_client_config:\n    basic_auth: {username: sla, password_file: pw}\n"
		err := syncErr(t, newURLSource(t, dir, config, nil), nil)
		msg := err.Error()
		noSecret(t, "the error", msg, password, apiKey, basic, "apikey", "?CSV")
		if !strings.HasPrefix(msg, "GET "+ts.URL+"/incident_list.do: HTTP 500 Internal Server Error: \"<html>") {
			t.Errorf("error %q does not start with the URL, the status and the body", msg)
		}
		if !strings.Contains(msg, "password <secret>") {
			t.Errorf("error %q: the echoed password is not shown as <secret>", msg)
		}
		if _, body, _ := strings.Cut(msg, `Error: "`); len(body) > maxSnippet+len(`…"`) {
			t.Errorf("the body quoted is %d bytes, over %d", len(body), maxSnippet)
		}
	})

	t.Run("user information and API key in the URL", func(t *testing.T) {
		ts := echoServer(t, http.StatusBadGateway)
		u := strings.Replace(ts.URL, "http://", "http://user:pass@", 1) + "/incident_list.do?CSV&apikey=" + apiKey
		userinfo := base64.StdEncoding.EncodeToString([]byte("user:pass"))
		err := syncErr(t, newURLSource(t, dir, fmt.Sprintf(smallURLConfig, u), nil), nil)
		noSecret(t, "the error", err.Error(), "pass", apiKey, userinfo)
		if !strings.Contains(err.Error(), "HTTP 502 Bad Gateway") {
			t.Errorf("error %q lacks the status", err)
		}

		// Rejections read from such a URL are named after its path alone.
		data := fixture(t, "row_tickets.csv")
		ok := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Write(data) })
		u = strings.Replace(ok.URL, "http://", "http://user:pass@", 1) + "/incident_list.do?CSV&apikey=" + apiKey
		b := syncOK(t, newURLSource(t, dir, fmt.Sprintf(rowTicketsCSV, "url: "+u), nil), nil)
		if len(b.Rejected) == 0 || b.Rejected[0].Where != "incident_list.do:8" {
			t.Errorf("rejections %v, want the first at incident_list.do:8", b.Rejected)
		}
		for _, r := range b.Rejected {
			noSecret(t, "a rejection", r.Where+" "+r.Reason, "pass", apiKey, "apikey")
		}
	})

	t.Run("transport errors", func(t *testing.T) {
		closed := httptest.NewServer(http.NotFoundHandler())
		closed.Close()
		u := strings.Replace(closed.URL, "http://", "http://user:pass@", 1) + "/x.csv?apikey=" + apiKey
		err := syncErr(t, newURLSource(t, dir, fmt.Sprintf(smallURLConfig, u), nil), nil)
		noSecret(t, "the error", err.Error(), "pass", apiKey)
		if !strings.HasPrefix(err.Error(), "GET "+closed.URL+"/x.csv: ") || !strings.Contains(err.Error(), "refused") {
			t.Errorf("error %q", err)
		}
		// A redirect to a URL with a token, where nothing answers.
		redir := serve(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, closed.URL+"/signed.csv?X-Signature=REDIRECTSECRET", http.StatusFound)
		})
		err = syncErr(t, newURLSource(t, dir, fmt.Sprintf(smallURLConfig, redir.URL+"/x.csv?apikey="+apiKey), nil), nil)
		noSecret(t, "the error", err.Error(), apiKey, "REDIRECTSECRET", "X-Signature")
	})

	t.Run("redirect to a server echoing its signed URL", func(t *testing.T) {
		echo := echoServer(t, http.StatusForbidden)
		redir := serve(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, echo.URL+"/signed.csv?X-Signature=REDIRECTSECRET", http.StatusFound)
		})
		err := syncErr(t, newURLSource(t, dir, fmt.Sprintf(smallURLConfig, redir.URL+"/x.csv?apikey="+apiKey), nil), nil)
		noSecret(t, "the error", err.Error(), apiKey, "REDIRECTSECRET")
		if !strings.Contains(err.Error(), "HTTP 403 Forbidden") {
			t.Errorf("error %q lacks the status", err)
		}
	})
}

func TestURL_redirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/export", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/files/export.csv", http.StatusFound)
	})
	mux.HandleFunc("/files/export.csv", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, smallCSV) })
	ts := serve(t, mux.ServeHTTP)
	base := fmt.Sprintf(smallURLConfig, ts.URL+"/export")
	if b := syncOK(t, newURLSource(t, t.TempDir(), base, nil), nil); len(b.Tickets) != 2 {
		t.Errorf("redirects are followed by default: %d tickets", len(b.Tickets))
	}
	err := syncErr(t, newURLSource(t, t.TempDir(), base+"  http_client_config: {follow_redirects: false}\n", nil), nil)
	if !strings.Contains(err.Error(), "HTTP 302 Found") {
		t.Errorf("follow_redirects false: error %v", err)
	}
}

func TestURL_requestCounts(t *testing.T) {
	codes := []int{200, 304, 500, 401, 200}
	var n atomic.Int32
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		code := codes[min(int(n.Add(1))-1, len(codes)-1)]
		w.Header().Set("ETag", `"e"`)
		if code != 200 {
			w.WriteHeader(code)
			return
		}
		io.WriteString(w, smallCSV)
	})
	req := collector.NewRequests()
	src := newURLSource(t, t.TempDir(), fmt.Sprintf(smallURLConfig, ts.URL+"/x.csv"), req)
	cp := syncOK(t, src, nil).Checkpoint
	syncOK(t, src, cp)
	syncErr(t, src, cp)
	syncErr(t, src, cp)
	syncOK(t, src, cp)
	if d := cmp.Diff(map[string]float64{"200": 2, "304": 1, "500": 1, "401": 1}, req.Counts("probe")); d != "" {
		t.Errorf("sla_source_requests_total (-want +got):\n%s", d)
	}
	if got := req.Counts("other"); got != nil {
		t.Errorf("another source has counts %v", got)
	}
}

func TestURL_contextCancellation(t *testing.T) {
	release := make(chan struct{})
	var partial bool
	var mu sync.Mutex
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		p := partial
		mu.Unlock()
		if p { // the header and a row, then nothing
			io.WriteString(w, "id,created,status\nA,2024-01-01T00:00:00Z,open\n")
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // before ts.Close, which waits for the handlers
	src := newURLSource(t, t.TempDir(), fmt.Sprintf(smallURLConfig, ts.URL+"/x.csv"), nil)
	for _, p := range []bool{false, true} {
		mu.Lock()
		partial = p
		mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		start := time.Now()
		_, err := src.Sync(ctx, nil)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("partial body %v: error %v, want one wrapping context.DeadlineExceeded", p, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("partial body %v: Sync returned %v after its deadline", p, d)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	if _, err := src.Sync(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v, want one wrapping context.Canceled", err)
	}
}

func TestURL_contract(t *testing.T) {
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"same"`)
		if r.Header.Get("If-None-Match") == `"same"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, smallCSV)
	})
	sourcetest.RunContract(t, func() collector.Source {
		return newURLSource(t, t.TempDir(), fmt.Sprintf(smallURLConfig, ts.URL+"/x.csv"), nil)
	})
}

func TestURL_bodyErrors(t *testing.T) {
	old := defaultMaxSize
	defaultMaxSize = 100
	t.Cleanup(func() { defaultMaxSize = old })
	big := strings.Repeat("A,2024-01-01T00:00:00Z,open\n", 10)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"too large with a length", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "id,created,status\n"+big)
		}, `the response is larger than the limit of 100 B (max_size of source "probe")`},
		{"too large, chunked", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "id,created,status\n")
			w.(http.Flusher).Flush()
			io.WriteString(w, big)
		}, "the response is larger than the limit"},
		{"too large once gunzipped", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			gz := gzip.NewWriter(w)
			io.WriteString(gz, "id,created,status\n"+big)
			gz.Close()
		}, "the response is larger than the limit"},
		{"unknown encoding", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "br")
			io.WriteString(w, "x")
		}, `the response is encoded as "br"`},
		{"a login page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<html><form>log in</form></html>")
		}, "(the server sent an HTML page, not csv: a login or error page?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := serve(t, tt.handler)
			err := syncErr(t, newURLSource(t, t.TempDir(), fmt.Sprintf(smallURLConfig, ts.URL+"/x.csv"), nil), nil)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestURL_configErrors(t *testing.T) {
	const cols = "  columns: {id: id, created: created}\n"
	tests := []struct {
		name, config, want string
	}{
		{"path and url", "file:\n  path: a.csv\n  url: https://itsm.example.com/a.csv\n" + cols,
			"line 3: url: set either path (a local file) or url, not both"},
		{"neither", "file:\n  format: csv\n" + cols,
			"line 2: path: required: the file to read, or a glob (or url, to fetch the export over HTTP)"},
		{"unknown key in http_client_config", `file:
  url: https://itsm.example.com/a.csv
  columns: {id: id, created: created}
  http_client_config:
    basic_auth:
      username: sla
      pasword_file: pw
`, "line 7: http_client_config.basic_auth.pasword_file: unknown field (known: username, username_file, username_ref, password, password_file, password_ref)"},
		{"unknown key at the top of http_client_config", `file:
  url: https://itsm.example.com/a.csv
  columns: {id: id, created: created}
  http_client_config:
    tls_config: {ca_file: ca.pem}
    follow_redirect: false
`, "line 6: http_client_config.follow_redirect: unknown field (known: basic_auth, authorization, oauth2, bearer_token, bearer_token_file, tls_config, follow_redirects, enable_http2, proxy_url, no_proxy, proxy_from_environment, proxy_connect_header, http_headers)"},
		{"password and password_file", `file:
  url: https://itsm.example.com/a.csv
  columns: {id: id, created: created}
  http_client_config:
    basic_auth: {username: sla, password: hunter2-inline, password_file: pw}
`, "line 5: http_client_config: at most one of basic_auth password, password_file & password_ref must be configured"},
		{"secret reference", `file:
  url: https://itsm.example.com/a.csv
  columns: {id: id, created: created}
  http_client_config:
    authorization:
      credentials_ref: itsm
`, "line 6: http_client_config.authorization.credentials_ref: secret references need a secret manager, which sla_exporter has not: use the _file form"},
		{"http_client_config with a path", "file:\n  path: a.csv\n" + cols + "  http_client_config: {}\n",
			"line 4: http_client_config: applies to url, not path"},
		{"headers with a path", "file:\n  path: a.csv\n" + cols + "  headers: {Accept: text/csv}\n",
			"line 4: headers: applies to url, not path"},
		{"not http", "file:\n  url: ftp://user:s3cretpw@itsm.example.com/a.csv?apikey=SECRETKEY\n" + cols,
			"line 2: url: not an http:// or https:// URL with a host"},
		{"no host", "file:\n  url: https:///a.csv\n" + cols,
			"line 2: url: not an http:// or https:// URL with a host"},
		{"unparsable", "file:\n  url: \"https://user:s3cret pw@itsm.example.com:99999/a.csv\"\n" + cols,
			"line 2: url: not an http:// or https:// URL with a host"},
		{"extension does not tell", "file:\n  url: https://user:s3cretpw@itsm.example.com/incident_list.do?CSV&apikey=SECRETKEY\n" + cols,
			`line 2: url: the extension of "https://itsm.example.com/incident_list.do" does not tell the format: set format (csv, json or ndjson)`},
		{"user information and basic_auth", `file:
  url: https://user:s3cretpw@itsm.example.com/a.csv
  columns: {id: id, created: created}
  http_client_config:
    basic_auth: {username: sla, password_file: pw}
`, "line 2: url: has user information, and http_client_config sets credentials too: keep one (basic_auth with password_file keeps the password out of the URL)"},
		{"credentials in headers", "file:\n  url: https://itsm.example.com/a.csv\n" + cols + "  headers:\n    Accept: text/csv\n    authorization: Bearer SECRETKEY\n",
			"line 6: headers.authorization: headers are not secret: set credentials in http_client_config (basic_auth with password_file, authorization with credentials_file, or http_headers with files)"},
		{"a header the fetch sets", "file:\n  url: https://itsm.example.com/a.csv\n" + cols + "  headers: {If-None-Match: x}\n",
			"line 4: headers.If-None-Match: is set by sla_exporter"},
		{"a header set twice", "file:\n  url: https://itsm.example.com/a.csv\n" + cols + "  headers: {accept: text/csv, Accept: text/plain}\n",
			"line 4: headers.accept: the header is also set as Accept"},
		{"a bad header name", "file:\n  url: https://itsm.example.com/a.csv\n" + cols + "  headers: {\"X Instance\": prod}\n",
			`line 4: headers.X Instance: "X Instance" is not a header name`},
		{"a header value on two lines", "file:\n  url: https://itsm.example.com/a.csv\n" + cols + "  headers: {X-Instance: \"prod\\nX-Other: 1\"}\n",
			"line 4: headers.X-Instance: the value holds a line break or NUL"},
		{"reserved http_headers", `file:
  url: https://itsm.example.com/a.csv
  columns: {id: id, created: created}
  http_client_config:
    http_headers:
      Authorization: {files: [token]}
`, `line 5: http_client_config: setting header "Authorization" is not allowed`},
		{"a proxy URL that does not parse", `file:
  url: https://itsm.example.com/a.csv
  columns: {id: id, created: created}
  http_client_config:
    proxy_url: "http://proxyuser:pr0xy secret@proxy.example.com:3128"
`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(block(t, tt.config), collector.Options{Name: "x", Dir: "/etc/sla"})
			if err == nil {
				t.Fatalf("New succeeded, want %q", tt.want)
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("New error:\n got %s\nwant %s", err, tt.want)
			}
			noSecret(t, "the error", err.Error(), "s3cret", "SECRETKEY", "hunter2", "pr0xy", "secret@")
		})
	}
}

func TestURL_defaults(t *testing.T) {
	src := newURLSource(t, "/etc/sla", `file:
  url: https://itsm.example.com/exports/tickets.TSV#top
  columns: {id: id, created: created}
  http_client_config:
    basic_auth: {username: sla, password_file: secrets/pw}
    tls_config: {ca_file: /etc/ssl/itsm.pem, cert_file: client.pem, key_file: client.key}
`, nil)
	p := src.plan
	hc := p.fetch.client
	got := []any{p.format, p.delimiter, p.fetch.url.String(), p.fetch.display, p.fetch.name, hc.FollowRedirects, hc.EnableHTTP2,
		hc.BasicAuth.PasswordFile, hc.TLSConfig.CAFile, hc.TLSConfig.CertFile}
	want := []any{"csv", '\t', "https://itsm.example.com/exports/tickets.TSV", "https://itsm.example.com/exports/tickets.TSV", "exports/tickets.TSV", true, true,
		"/etc/sla/secrets/pw", "/etc/ssl/itsm.pem", "/etc/sla/client.pem"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// enable_http2 and follow_redirects keep their defaults when other keys are set, and can be
	// turned off.
	src = newURLSource(t, "/etc/sla", `file:
  url: https://itsm.example.com/a.csv
  columns: {id: id, created: created}
  http_client_config: {enable_http2: false}
`, nil)
	if hc := src.plan.fetch.client; !hc.FollowRedirects || hc.EnableHTTP2 {
		t.Errorf("follow_redirects %v, enable_http2 %v; want true, false", hc.FollowRedirects, hc.EnableHTTP2)
	}
}

// TestURL_fingerprint: a path configuration's fingerprint is pinned, so that it changes only with
// parserVersion (a new release re-reads files only when it would read them differently), and a
// url's credentials are no part of it.
func TestURL_fingerprint(t *testing.T) {
	src := newSource(t, "/etc/sla", smallConfig).(*Source)
	if got, want := src.plan.fingerprint, "b1c4c33ab52901d53907ff6deef41a73"; got != want {
		t.Errorf("fingerprint of a path configuration %s, want %s", got, want)
	}
	fp := func(u, pw string) string {
		return newURLSource(t, "/etc/sla", fmt.Sprintf(smallURLConfig, u)+"  http_client_config: {basic_auth: {username: sla, password: "+pw+"}}\n", nil).plan.fingerprint
	}
	if fp("https://h/a.csv?apikey=1", "one") != fp("https://h/a.csv?apikey=2", "two") {
		t.Error("the fingerprint depends on the query or the password")
	}
	if fp("https://h/a.csv", "one") == fp("https://h/b.csv", "one") {
		t.Error("the fingerprint does not depend on the URL's path")
	}
}

// TestURL_configPrinting: a Config printed, marshalled or logged shows no credential.
func TestURL_configPrinting(t *testing.T) {
	const (
		password = "inline-password-1234"
		token    = "inline-bearer-5678"
		apiKey   = "SECRETAPIKEY"
	)
	var cfg Config
	text := `file:
  url: https://user:userinfo-pw@itsm.example.com/incident_list.do?CSV&apikey=` + apiKey + `
  format: csv
  columns: {id: id, created: created}
  http_client_config:
    basic_auth: {username: sla, password: ` + password + `}
    proxy_url: http://proxyuser:proxy-pw-9@proxy.example.com:3128
    http_headers:
      X-Api-Key: {secrets: [` + token + `]}
`
	if err := collector.DecodeStrict(block(t, text), &cfg); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	slog.New(slog.NewJSONHandler(&log, nil)).Info("config", "cfg", cfg, "url", cfg.URL)
	jsonOut, _ := json.Marshal(cfg)
	for what, out := range map[string]string{
		"String": cfg.String(), "%v": fmt.Sprintf("%v", cfg), "%+v": fmt.Sprintf("%+v", cfg), "%#v": fmt.Sprintf("%#v", cfg),
		"url %v": fmt.Sprintf("%v", cfg.URL), "JSON": string(jsonOut), "log": log.String(),
	} {
		noSecret(t, what, out, password, token, apiKey, "userinfo-pw", "proxy-pw-9")
	}
	if s := cfg.String(); !strings.Contains(s, "password: <secret>") || !strings.Contains(s, "url: https://itsm.example.com/incident_list.do\n") {
		t.Errorf("String:\n%s", s)
	}
}
