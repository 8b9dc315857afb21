package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/collector/pdf"
	"github.com/sla-exporter/sla_exporter/collector/pdf/pdftest"
)

// The browser tests load the pages in Debian's Chromium, headless, as a person would: served
// over HTTP by the real handler, the demo evaluated at a fixed instant, so that the figures do
// not depend on when the tests run. A missing Chromium skips them, or fails them with CI set
// (pdftest.RequireBrowser). Screenshots go to $SLA_ARTEFACTS (pdftest.Artefact).

// browserServer is the handler on a loopback port, with a clock the test moves and a count of
// the HTML page requests.
type browserServer struct {
	url   string
	eval  *evaluation.Evaluator
	expo  *collector.Exposition
	now   atomic.Pointer[time.Time]
	pages atomic.Int32 // GET requests of "/"
}

func newBrowserServer(t *testing.T, mod func(*Options)) *browserServer {
	t.Helper()
	f := demoFor(t)
	s := &browserServer{}
	at := evalAt
	s.now.Store(&at)
	expo := collector.NewExposition()
	s.expo = expo
	s.eval = evaluation.New(f.cfg, evaluation.Options{Data: f.runner, Expo: expo, Now: func() time.Time { return *s.now.Load() }})
	reg := prometheus.NewRegistry()
	reg.MustRegister(expo.Live())
	o := Options{Registry: reg, Expo: expo, Evaluator: s.eval, Version: "1.2.3-test", Demo: true, PDF: pdf.New(pdf.Options{})}
	if mod != nil {
		mod(&o)
	}
	h := Handler(o)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			s.pages.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	s.eval.Publish()
	return s
}

// evaluateAt moves the clock and publishes a new evaluation, as the daemon's loop does.
func (s *browserServer) evaluateAt(at time.Time) {
	s.now.Store(&at)
	s.eval.Publish()
}

// tab is a browser tab and what went wrong in it: console errors, uncaught exceptions, errors
// the browser logged (a Content-Security-Policy violation, a resource that did not load),
// failed requests and responses of 400 or more.
type tab struct {
	ctx context.Context

	mu       sync.Mutex
	urls     map[network.RequestID]string
	problems []string
}

// newTab starts a headless Chromium with one tab; it is closed when the test ends.
func newTab(t *testing.T) *tab {
	t.Helper()
	path := pdftest.RequireBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	bctx, closeBrowser := pdf.NewBrowser(ctx, path, nil)
	t.Cleanup(func() {
		closeBrowser()
		cancel()
	})
	tb := &tab{ctx: bctx, urls: map[network.RequestID]string{}}
	if err := chromedp.Do(bctx); err != nil { // starts the browser and opens the tab
		t.Fatalf("start %s: %v", path, err)
	}
	if err := chromedp.Listen(bctx, tb.listen); err != nil {
		t.Fatal(err)
	}
	return tb
}

// listen runs in the tab's event loop: it only records.
func (tb *tab) listen(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		tb.urls[ev.RequestID] = ev.Request.URL
	case *network.EventResponseReceived:
		if ev.Response.Status >= 400 {
			tb.problems = append(tb.problems, fmt.Sprintf("%s answered %d %s", ev.Response.URL, ev.Response.Status, ev.Response.StatusText))
		}
	case *network.EventLoadingFailed:
		tb.problems = append(tb.problems, fmt.Sprintf("request %s failed: %s (canceled %v, blocked %q)", tb.urls[ev.RequestID], ev.ErrorText, ev.Canceled, ev.BlockedReason))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			tb.problems = append(tb.problems, "console.error: "+strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		desc := ""
		if d.Exception != nil {
			desc = d.Exception.Description
		}
		tb.problems = append(tb.problems, fmt.Sprintf("uncaught exception at %s:%d: %s %s", d.URL, d.LineNumber+1, d.Text, desc))
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			tb.problems = append(tb.problems, fmt.Sprintf("browser log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

// takeProblems returns what went wrong since the last call.
func (tb *tab) takeProblems() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	p := tb.problems
	tb.problems = nil
	return p
}

// visit loads a page, fails the test if it did not answer 200, and returns nothing until the
// load event.
func (tb *tab) visit(t *testing.T, url string) {
	t.Helper()
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("load %s: %v", url, err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("load %s: status %d", url, resp.Status)
	}
	if err := chromedp.Do(tb.ctx, chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("load %s: %v", url, err)
	}
}

// checkClean fails the test for what went wrong on a page.
func (tb *tab) checkClean(t *testing.T, page string) {
	t.Helper()
	for _, p := range tb.takeProblems() {
		t.Errorf("%s: %s", page, p)
	}
}

// eval evaluates a JavaScript expression in the page, decoded into T.
func eval[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// The viewports the pages are looked at in: a laptop, and a phone (an iPhone's 390 CSS pixels).
var viewports = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"desktop", 1280, 900, false},
	{"phone", 390, 844, true},
}

// setViewport sizes the tab; a phone also gets mobile emulation (the viewport meta tag counts).
func (tb *tab) setViewport(t *testing.T, width, height int64, mobile bool) {
	t.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(width, height, opts...)); err != nil {
		t.Fatal(err)
	}
}

// screenshot writes a full-page PNG of the tab as a test artefact.
func (tb *tab) screenshot(t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	t.Logf("screenshot %s", pdftest.Artefact(t, name+".png", png))
}
