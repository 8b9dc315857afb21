// Package promsim is a simulated Prometheus HTTP API for the tests of the prometheus source:
// /api/v1/query and /api/v1/query_range answering the query shapes that source sends, evaluated
// on raw series the test holds, with the documented response envelope and errors, and faults to
// inject.
//
// Written from Prometheus' documentation (docs/querying/api.md: the envelope
// {"status", "data": {"resultType", "result"}, "errorType", "error", "warnings", "infos"}, the
// matrix result [{"metric": {...}, "values": [[<unix seconds>, "<value>"], ...]}], HTTP 400 for
// bad_data, 422 for execution errors, 503 for timeouts, the 11,000 points per series limit of
// query_range) and docs/querying/basics.md (a selector reads, at an instant t, a series' latest
// sample within the lookback delta, 5m by default; a subquery's evaluations fall on multiples of
// its resolution since the epoch; range windows are closed [t-r, t] in 2.x and left-open
// (t-r, t] in 3.x, prometheus#13213).
//
// What it evaluates is narrow on purpose: a series selector, inside the source's three
// availability subqueries (summed, or summed by a label), or with a range at an instant (raw
// samples, native histograms included); and in range queries the events expressions' shapes
// SEL, rate(SEL[d]) and either summed or summed by a label (exprs.go). Anything else is answered
// with bad_data, so that a change of the queries fails the tests loudly.
package promsim

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sample is one raw sample: a float V, or a native histogram H when H is set.
type Sample struct {
	T time.Time
	V float64
	H *Histogram
}

// Series is a raw series: its labels (with __name__) and its samples in time order.
type Series struct {
	Labels  map[string]string
	Samples []Sample
}

// Request is what a query asked, as the server saw it.
type Request struct {
	Path, Method, Query string
	Start, End, Time    time.Time
	Step                time.Duration
	Params              map[string]string // every form value, first of each
	Header              http.Header
}

// Fault is an answer the test imposes instead of the evaluation's: Status (with Body when set,
// else an error envelope of ErrorType and Error), or Warnings added to a successful answer, or
// Hang: no answer until the client gives up.
type Fault struct {
	Status    int
	Body      string
	ErrorType string
	Error     string
	Warnings  []string
	Hang      bool
}

// Server is the simulated server. Set its fields before the first request, or under Lock.
type Server struct {
	*httptest.Server
	mu sync.Mutex
	// Series is the data.
	Series []Series
	// V2 selects Prometheus 2.x's closed range windows; the default is 3.x's left-open ones.
	V2 bool
	// Lookback is the lookback delta (default 5m), overridden per query by lookback_delta.
	Lookback time.Duration
	// Fault, when set, is asked before each request is evaluated; a non-nil answer replaces it.
	Fault func(r Request) *Fault
	// Requests lists the requests answered; Points counts the points of every answer.
	Requests []Request
	Points   int
}

// New starts a server; Close it when done.
func New() *Server {
	s := &Server{Lookback: 5 * time.Minute}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Lock and Unlock guard the fields while requests may run.
func (s *Server) Lock()   { s.mu.Lock() }
func (s *Server) Unlock() { s.mu.Unlock() }

// Stats returns the requests and points answered so far.
func (s *Server) Stats() (requests, points int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.Requests), s.Points
}

// Reset forgets the requests and points counted.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Requests, s.Points = nil, 0
}

// maxPoints is Prometheus' limit of points per series of a range query.
const maxPoints = 11000

type result struct {
	Metric     map[string]string `json:"metric"`
	Values     [][2]any          `json:"values,omitempty"`
	Histograms [][2]any          `json:"histograms,omitempty"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "bad_data", err.Error(), nil)
		return
	}
	req := Request{Path: r.URL.Path, Method: r.Method, Query: r.Form.Get("query"), Params: map[string]string{}, Header: r.Header.Clone()}
	for k, v := range r.Form {
		req.Params[k] = v[0]
	}
	var err error
	parseTime := func(name string) time.Time {
		if err != nil || r.Form.Get(name) == "" {
			return time.Time{}
		}
		var f float64
		if f, err = strconv.ParseFloat(r.Form.Get(name), 64); err != nil {
			err = fmt.Errorf("invalid parameter %q: cannot parse %q to a valid timestamp", name, r.Form.Get(name))
		}
		return time.UnixMilli(int64(math.Round(f * 1000))).UTC()
	}
	req.Start, req.End, req.Time = parseTime("start"), parseTime("end"), parseTime("time")
	if st := r.Form.Get("step"); st != "" && err == nil {
		f, perr := strconv.ParseFloat(st, 64)
		if perr != nil || f <= 0 {
			err = fmt.Errorf("invalid parameter \"step\": cannot parse %q to a valid duration", st)
		}
		req.Step = time.Duration(math.Round(f*1000)) * time.Millisecond
	}

	s.mu.Lock()
	s.Requests = append(s.Requests, req)
	fault := s.Fault
	s.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_data", err.Error(), nil)
		return
	}
	var f *Fault
	if fault != nil {
		f = fault(req)
	}
	if f != nil {
		switch {
		case f.Hang:
			<-r.Context().Done()
			return
		case f.Status != 0 && f.Body != "":
			w.WriteHeader(f.Status)
			fmt.Fprint(w, f.Body)
			return
		case f.Status != 0:
			writeError(w, f.Status, f.ErrorType, f.Error, f.Warnings)
			return
		}
	}

	s.mu.Lock()
	res, status, etype, emsg := s.evaluate(req)
	points := 0
	for _, x := range res {
		points += len(x.Values)
	}
	s.Points += points
	s.mu.Unlock()
	if status != 0 {
		writeError(w, status, etype, emsg, nil)
		return
	}
	var warnings []string
	if f != nil {
		warnings = f.Warnings
	}
	body := map[string]any{"status": "success", "data": map[string]any{"resultType": "matrix", "result": res}}
	if len(warnings) > 0 {
		body["warnings"] = warnings
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func writeError(w http.ResponseWriter, status int, etype, msg string, warnings []string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]any{"status": "error", "errorType": etype, "error": msg}
	if len(warnings) > 0 {
		body["warnings"] = warnings
	}
	_ = json.NewEncoder(w).Encode(body)
}

// evaluate answers req from the data; a non-zero status is an error answer.
func (s *Server) evaluate(req Request) (res []result, status int, etype, msg string) {
	lookback := s.Lookback
	if lb := req.Params["lookback_delta"]; lb != "" {
		// Seconds, or a duration (client_golang sends Go's "20s").
		if f, err := strconv.ParseFloat(lb, 64); err == nil {
			lookback = time.Duration(f * float64(time.Second))
		} else if lookback, err = time.ParseDuration(lb); err != nil {
			return nil, http.StatusBadRequest, "bad_data", "invalid lookback_delta"
		}
	}
	switch req.Path {
	case "/api/v1/query_range":
		if req.Step <= 0 || req.End.Before(req.Start) {
			return nil, http.StatusBadRequest, "bad_data", "invalid range"
		}
		if n := req.End.Sub(req.Start)/req.Step + 1; n > maxPoints {
			return nil, http.StatusBadRequest, "bad_data", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
		}
		if ex, ok, err := parseExpr(req.Query); ok {
			if err != nil {
				return nil, http.StatusBadRequest, "bad_data", err.Error()
			}
			return s.exprRange(ex, req, lookback), 0, "", ""
		}
		sq, err := parseSubquery(req.Query)
		if err != nil {
			return nil, http.StatusBadRequest, "bad_data", err.Error()
		}
		return s.rangeQuery(sq, req, lookback), 0, "", ""
	case "/api/v1/query":
		m := rawPattern.FindStringSubmatch(req.Query)
		if m == nil {
			return nil, http.StatusBadRequest, "bad_data", "promsim: unsupported query " + strconv.Quote(req.Query)
		}
		sel, err := parseSelector(m[1])
		if err != nil {
			return nil, http.StatusBadRequest, "bad_data", err.Error()
		}
		d, err := parseDuration(m[2])
		if err != nil {
			return nil, http.StatusBadRequest, "bad_data", err.Error()
		}
		return s.rawQuery(sel, req.Time, d), 0, "", ""
	}
	return nil, http.StatusNotFound, "bad_data", "not found"
}

// inWindow says whether t is in the range window ending at end, r long: closed in 2.x,
// left-open in 3.x.
func (s *Server) inWindow(t, end time.Time, r time.Duration) bool {
	start := end.Add(-r)
	if t.After(end) || t.Before(start) {
		return false
	}
	return s.V2 || t.After(start)
}

// at returns a series' value at t: its latest sample within the lookback.
func (s *Server) at(ser Series, t time.Time, lookback time.Duration) (float64, bool) {
	i, _ := slices.BinarySearchFunc(ser.Samples, t, func(x Sample, t time.Time) int {
		if x.T.After(t) {
			return 1
		}
		return -1
	})
	if i == 0 {
		return 0, false
	}
	x := ser.Samples[i-1]
	if !s.inWindow(x.T, t, lookback) {
		return 0, false
	}
	return x.V, true
}

func (s *Server) rangeQuery(sq *subquery, req Request, lookback time.Duration) []result {
	groups := map[string]*result{}
	var order []string
	for T := req.Start; !T.After(req.End); T = T.Add(req.Step) {
		windowEnd := T.Add(-time.Millisecond) // offset 1ms
		sums := map[string]float64{}
		seen := map[string]bool{}
		res := sq.res.Milliseconds()
		first := windowEnd.Add(-sq.step).UnixMilli()
		first = (first/res - 1) * res
		for _, ser := range s.Series {
			if !sq.sel.matches(ser.Labels) {
				continue
			}
			key := ""
			if sq.by != "" {
				key = ser.Labels[sq.by]
			}
			for ms := first; ms <= windowEnd.UnixMilli(); ms += res {
				p := time.UnixMilli(ms).UTC()
				if !s.inWindow(p, windowEnd, sq.step) {
					continue
				}
				v, ok := s.at(ser, p, lookback)
				if !ok {
					continue
				}
				if c, counts := sq.pointVal(v); counts {
					sums[key] += c
					seen[key] = true
				}
			}
		}
		for key := range seen {
			g := groups[key]
			if g == nil {
				g = &result{Metric: map[string]string{}}
				if sq.by != "" && key != "" {
					g.Metric[sq.by] = key
				}
				groups[key] = g
				order = append(order, key)
			}
			g.Values = append(g.Values, [2]any{unix(T), strconv.FormatFloat(sums[key], 'f', -1, 64)})
		}
	}
	slices.Sort(order)
	out := make([]result, 0, len(order))
	for _, k := range order {
		out = append(out, *groups[k])
	}
	return out
}

func (s *Server) rawQuery(sel selector, t time.Time, d time.Duration) []result {
	var out []result
	for _, ser := range s.Series {
		if !sel.matches(ser.Labels) {
			continue
		}
		r := result{Metric: ser.Labels}
		for _, x := range ser.Samples {
			switch {
			case !s.inWindow(x.T, t, d):
			case x.H != nil:
				r.Histograms = append(r.Histograms, [2]any{unix(x.T), x.H.encode()})
			default:
				r.Values = append(r.Values, [2]any{unix(x.T), formatValue(x.V)})
			}
		}
		if len(r.Values) > 0 || len(r.Histograms) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// unix writes an instant as the API does: seconds with the milliseconds as decimals.
func unix(t time.Time) json.Number {
	ms := t.UnixMilli()
	s := strconv.FormatInt(ms/1000, 10)
	if frac := ms % 1000; frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%03d", frac), "0")
	}
	return json.Number(s)
}

// formatValue writes a value as the API does: a string, with NaN and ±Inf spelled out.
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
