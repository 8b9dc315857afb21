package delivery

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

// fakeClock is a collector.Clock the test moves by hand. Each After is announced on waits, so
// the test learns that the scheduler sleeps, and for how long, before it moves the clock.
type fakeClock struct {
	waits chan time.Duration

	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, waits: make(chan time.Duration, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	c.mu.Unlock()
	c.waits <- d
	return ch
}

// WithTimeout sets no deadline: a test's attempts end by themselves.
func (c *fakeClock) WithTimeout(ctx context.Context, _ time.Duration) (context.Context, context.CancelFunc) {
	return context.WithCancel(ctx)
}

// Advance moves the clock and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- c.now
	}
	c.timers = kept
}

// wait returns how long the scheduler went to sleep for next; the deadline only keeps a broken
// test from hanging.
func (c *fakeClock) wait(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-c.waits:
		return d
	case <-time.After(20 * time.Second):
		t.Fatal("the scheduler did not go to sleep")
		return 0
	}
}

// rome is Europe/Rome, the timezone of the hand-checked dates.
func rome(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// office is a Monday-to-Friday 09:00-17:00 calendar in Europe/Rome with 1 January and 6
// January (Epiphany) off every year.
func office(t testing.TB) *calendar.Calendar {
	t.Helper()
	var spec calendar.Spec
	spec.Name, spec.Location = "office", rome(t)
	for d := time.Monday; d <= time.Friday; d++ {
		spec.Week[d] = []calendar.Interval{{Start: 9 * 3600, End: 17 * 3600}}
	}
	spec.Recurring = []calendar.MonthDay{{Month: time.January, Day: 1}, {Month: time.January, Day: 6}}
	c, err := calendar.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func addr(t *testing.T, s string) *mail.Address {
	t.Helper()
	a, err := mail.ParseAddress(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// testHTML is the report's HTML, whose text is the alternative body.
const testHTML = `<!doctype html><html><head><title>Service report</title><style>td{color:red}</style></head>
<body><h1>Service report 2026-12</h1><p>Promises kept: 4 of 5.</p>
<table><tr><th>Objective</th><th>Attainment</th></tr><tr><td>web-shop</td><td>99.95%</td></tr></table>
<svg><text>chart</text></svg></body></html>`

// testPDF is bytes that are not text, as a PDF's are.
var testPDF = append([]byte("%PDF-1.7\n"), 0x00, 0xff, 0xfe, 0x80, '\r', '\n', '.', '\r', '\n')

// fakeRenderer renders a small report per format and records the requests.
type fakeRenderer struct {
	mu       sync.Mutex
	requests []Request
	err      error
}

func (r *fakeRenderer) render(_ context.Context, req Request) ([]Attachment, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, req)
	if r.err != nil {
		return nil, r.err
	}
	var out []Attachment
	for _, f := range req.Formats {
		name := fmt.Sprintf("sla-report-%s.%s", req.Period, f)
		switch f {
		case FormatHTML:
			out = append(out, Attachment{Filename: name, ContentType: "text/html; charset=utf-8", Data: []byte(testHTML)})
		case FormatPDF:
			out = append(out, Attachment{Filename: name, ContentType: "application/pdf", Data: testPDF})
		case FormatCSV:
			out = append(out, Attachment{Filename: name, ContentType: "text/csv; charset=utf-8", Data: []byte("objective,attainment\r\nweb-shop,0.9995\r\n")})
		}
	}
	return out, nil
}

func (r *fakeRenderer) calls() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.requests...)
}

// logBuffer is a logger writing to a buffer the test reads, safe for the scheduler's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
