package delivery

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sla-exporter/sla_exporter/collector/store"
)

// harness runs a scheduler over a store on a fake clock.
type harness struct {
	clk    *fakeClock
	r      *fakeRenderer
	logs   *logBuffer
	sched  *Scheduler
	cancel context.CancelFunc
	done   chan struct{}
}

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// run starts a scheduler of specs at now; stop (or the test's end) stops it.
func run(t *testing.T, db *store.DB, now time.Time, r *fakeRenderer, specs ...Spec) *harness {
	t.Helper()
	h := &harness{clk: newFakeClock(now), r: r, logs: &logBuffer{}, done: make(chan struct{})}
	h.sched = New(specs, Options{Render: r.render, State: db, Clock: h.clk, Logger: h.logs.logger()})
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() {
		h.sched.Run(ctx)
		close(h.done)
	}()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	h.cancel()
	<-h.done
}

// expectWait checks that the scheduler goes to sleep for want.
func (h *harness) expectWait(t *testing.T, want time.Duration, why string) {
	t.Helper()
	if got := h.clk.wait(t); got != want {
		t.Fatalf("%s: the scheduler sleeps %s, want %s", why, got, want)
	}
}

// monthly is the report of the issue: the first working day of the month at 08:00 in Rome, for
// the previous month, by e-mail and to a folder.
func monthly(t *testing.T, email *Email, folder string) Spec {
	return Spec{Name: "monthly-management", Formats: []string{FormatHTML, FormatPDF, FormatCSV},
		Schedule: Schedule{Day: FirstWorkingDay(), At: 8 * time.Hour, Location: rome(t), Calendar: office(t)},
		Filter:   Filter{Kind: FilterService, Value: "web-shop"}, Email: email, Folder: folder}
}

const metricsHelp = `# HELP sla_report_deliveries_total Attempts to deliver a scheduled report, by outcome: success, or failure (retried with backoff until the last attempt).
# TYPE sla_report_deliveries_total counter
# HELP sla_report_last_delivery_successful Whether the last attempt to deliver the report succeeded (1) or failed (0).
# TYPE sla_report_last_delivery_successful gauge
# HELP sla_report_last_delivery_timestamp_seconds When the last attempt to deliver the report ended, successful or not.
# TYPE sla_report_last_delivery_timestamp_seconds gauge
`

func TestSchedulerDeliversOnTheFirstWorkingDay(t *testing.T) {
	cert := newTestCert(t)
	srv := startSMTP(t, cert, "reports", "s3cret")
	passFile := filepath.Join(t.TempDir(), "smtp.pass")
	writeSecret(t, passFile, "s3cret")
	folder := t.TempDir()
	db := openStore(t)
	loc := rome(t)
	r := &fakeRenderer{}
	spec := monthly(t, testEmail(t, srv, cert, "reports", passFile), folder)

	// Monday 4 January 2027 at 07:30: the last report due (1 December's, for November) came
	// before the report was configured and is not owed; the next is due in 30 minutes.
	h := run(t, db, time.Date(2027, 1, 4, 7, 30, 0, 0, loc), r, spec)
	h.expectWait(t, 30*time.Minute, "before 08:00")
	if calls := r.calls(); len(calls) != 0 {
		t.Fatalf("rendered before the due instant: %v", calls)
	}
	h.clk.Advance(30 * time.Minute)
	got := parseMail(t, srv.next(t).data)
	// Then it sleeps an hour at most, and looks at the clock again.
	h.expectWait(t, time.Hour, "after delivering")

	want := []Request{{Report: "monthly-management", Period: "2026-12", Filter: Filter{Kind: FilterService, Value: "web-shop"},
		Start: time.Date(2026, 12, 1, 0, 0, 0, 0, loc), End: time.Date(2027, 1, 1, 0, 0, 0, 0, loc),
		Formats: []string{FormatHTML, FormatPDF, FormatCSV}}}
	if diff := cmp.Diff(want, r.calls()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if got.Subject != "Service report 2026-12 (service web-shop)" || !strings.Contains(got.Text, "web-shop\t99.95%") {
		t.Errorf("subject %q, text %q", got.Subject, got.Text)
	}
	rendered, _ := (&fakeRenderer{}).render(context.Background(), want[0])
	var files []parsedFile
	for _, a := range rendered {
		files = append(files, parsedFile{Filename: a.Filename, ContentType: strings.Split(a.ContentType, ";")[0], Encoding: "base64", Data: a.Data})
		// The folder has the same files under the period's label.
		onDisk, err := os.ReadFile(filepath.Join(folder, "2026-12", a.Filename))
		if err != nil || !cmp.Equal(onDisk, a.Data) {
			t.Errorf("folder file %s: %v, same bytes %v", a.Filename, err, cmp.Equal(onDisk, a.Data))
		}
	}
	if diff := cmp.Diff(files, got.Attachments); diff != "" {
		t.Errorf("attachments (-want +got):\n%s", diff)
	}

	// 2027-01-04 08:00 CET is 07:00 UTC, Unix 1799046000.
	if err := testutil.CollectAndCompare(h.sched, strings.NewReader(metricsHelp+`
sla_report_deliveries_total{outcome="failure",report="monthly-management"} 0
sla_report_deliveries_total{outcome="success",report="monthly-management"} 1
sla_report_last_delivery_successful{report="monthly-management"} 1
sla_report_last_delivery_timestamp_seconds{report="monthly-management"} 1.799046e+09
`)); err != nil {
		t.Error(err)
	}
	problems, err := testutil.CollectAndLint(h.sched)
	if err != nil || len(problems) > 0 {
		t.Errorf("promlint: %v %v", problems, err)
	}
	h.stop()
	st, _, err := db.Delivery("monthly-management")
	if err != nil {
		t.Fatal(err)
	}
	wantState := store.Delivery{Since: time.Date(2027, 1, 4, 7, 30, 0, 0, loc), Delivered: map[string]string{"email": "2026-12", "folder": "2026-12"},
		LastAttempt: time.Date(2027, 1, 4, 8, 0, 0, 0, loc), LastSuccessful: true}
	if diff := cmp.Diff(wantState, st); diff != "" {
		t.Errorf("stored state (-want +got):\n%s", diff)
	}
}

// TestSchedulerRetries: the server is down at 08:00, then refuses the password, then takes the
// report: two failures counted, one success, the folder written once and the report rendered
// once.
func TestSchedulerRetries(t *testing.T) {
	cert := newTestCert(t)
	const password, wrong = "s3cret-right", "s3cret-wrong"
	passFile := filepath.Join(t.TempDir(), "smtp.pass")
	writeSecret(t, passFile, wrong)
	port := closedPort(t)
	folder := t.TempDir()
	db := openStore(t)
	loc := rome(t)
	r := &fakeRenderer{}
	email := testEmail(t, &smtpServer{}, cert, "reports", passFile)
	email.Port = port
	h := run(t, db, time.Date(2027, 1, 4, 7, 30, 0, 0, loc), r, monthly(t, email, folder))
	h.expectWait(t, 30*time.Minute, "before 08:00")
	h.clk.Advance(30 * time.Minute)

	// Attempt 1 at 08:00: connection refused; the folder has its files already.
	h.expectWait(t, 5*time.Minute, "after the first failure")
	if _, err := os.Stat(filepath.Join(folder, "2026-12", "sla-report-2026-12.pdf")); err != nil {
		t.Errorf("the folder was not written by the first attempt: %v", err)
	}
	srv := serveSMTP(t, listenOn(t, port), cert, "reports", password)
	h.clk.Advance(5 * time.Minute)

	// Attempt 2 at 08:05: the server is up but refuses the password; backoff doubles.
	h.expectWait(t, 10*time.Minute, "after the second failure")
	if srv.failures() != 1 {
		t.Fatalf("AUTH failures = %d, want 1", srv.failures())
	}
	writeSecret(t, passFile, password) // read again at the next sending: no reload needed
	h.clk.Advance(10 * time.Minute)

	// Attempt 3 at 08:15 succeeds.
	got := parseMail(t, srv.next(t).data)
	h.expectWait(t, time.Hour, "after delivering")
	if len(got.Attachments) != 3 {
		t.Errorf("%d attachments", len(got.Attachments))
	}
	if n := len(r.calls()); n != 1 {
		t.Errorf("rendered %d times, want once for all the attempts", n)
	}
	// 08:15 CET is 07:15 UTC, Unix 1799046900.
	if err := testutil.CollectAndCompare(h.sched, strings.NewReader(metricsHelp+`
sla_report_deliveries_total{outcome="failure",report="monthly-management"} 2
sla_report_deliveries_total{outcome="success",report="monthly-management"} 1
sla_report_last_delivery_successful{report="monthly-management"} 1
sla_report_last_delivery_timestamp_seconds{report="monthly-management"} 1.7990469e+09
`)); err != nil {
		t.Error(err)
	}
	logs := h.logs.String()
	for _, want := range []string{"connection refused", "535", "report delivered"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not say %q:\n%s", want, logs)
		}
	}
	for _, secret := range []string{password, wrong} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log shows a password:\n%s", logs)
		}
	}
}

// TestSchedulerGivesUp: a server down all morning gets six attempts, 5, 10, 20, 40 and 80
// minutes apart; the period is then given up, and a restart does not try it again.
func TestSchedulerGivesUp(t *testing.T) {
	cert := newTestCert(t)
	const password = "hunter2-never-logged"
	passFile := filepath.Join(t.TempDir(), "smtp.pass")
	writeSecret(t, passFile, password)
	db := openStore(t)
	loc := rome(t)
	r := &fakeRenderer{}
	email := testEmail(t, &smtpServer{}, cert, "reports", passFile)
	email.Port = closedPort(t)
	spec := monthly(t, email, "")
	h := run(t, db, time.Date(2027, 1, 4, 7, 30, 0, 0, loc), r, spec)
	h.expectWait(t, 30*time.Minute, "before 08:00")
	h.clk.Advance(30 * time.Minute)
	for _, wait := range []time.Duration{5, 10, 20, 40, 80} {
		h.expectWait(t, wait*time.Minute, "backoff")
		h.clk.Advance(wait * time.Minute)
	}
	h.expectWait(t, time.Hour, "after giving up")
	// The sixth attempt ended at 08:00 + 155 minutes = 10:35 CET, 09:35 UTC, Unix 1799055300.
	if err := testutil.CollectAndCompare(h.sched, strings.NewReader(metricsHelp+`
sla_report_deliveries_total{outcome="failure",report="monthly-management"} 6
sla_report_deliveries_total{outcome="success",report="monthly-management"} 0
sla_report_last_delivery_successful{report="monthly-management"} 0
sla_report_last_delivery_timestamp_seconds{report="monthly-management"} 1.7990553e+09
`)); err != nil {
		t.Error(err)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "giving up on this period") || strings.Contains(logs, password) {
		t.Errorf("log:\n%s", logs)
	}
	h.stop()
	st, _, _ := db.Delivery(spec.Name)
	if st.Abandoned != "2026-12" || len(st.Delivered) != 0 {
		t.Errorf("stored state %+v, want December abandoned and nothing delivered", st)
	}

	// Restarted at 11:00, it waits for February's report; the last attempt is published again.
	h2 := run(t, db, time.Date(2027, 1, 4, 11, 0, 0, 0, loc), r, spec)
	h2.expectWait(t, time.Hour, "after a restart")
	if n := len(r.calls()); n != 1 {
		t.Errorf("rendered %d times, want 1", n)
	}
	if err := testutil.CollectAndCompare(h2.sched, strings.NewReader(metricsHelp+`
sla_report_deliveries_total{outcome="failure",report="monthly-management"} 0
sla_report_deliveries_total{outcome="success",report="monthly-management"} 0
sla_report_last_delivery_successful{report="monthly-management"} 0
sla_report_last_delivery_timestamp_seconds{report="monthly-management"} 1.7990553e+09
`)); err != nil {
		t.Error(err)
	}
}

// TestSchedulerCatchesUpOnce: the exporter runs in December, is down on 4 January at 08:00 and
// starts on the 5th: December's report is sent at once, and a second restart sends nothing.
func TestSchedulerCatchesUpOnce(t *testing.T) {
	cert := newTestCert(t)
	srv := startSMTP(t, cert, "reports", "pw")
	passFile := filepath.Join(t.TempDir(), "smtp.pass")
	writeSecret(t, passFile, "pw")
	db := openStore(t)
	loc := rome(t)
	r := &fakeRenderer{}
	spec := monthly(t, testEmail(t, srv, cert, "reports", passFile), "")

	h := run(t, db, time.Date(2026, 12, 20, 10, 0, 0, 0, loc), r, spec)
	h.expectWait(t, time.Hour, "in December")
	h.stop()

	h = run(t, db, time.Date(2027, 1, 5, 10, 0, 0, 0, loc), r, spec)
	got := parseMail(t, srv.next(t).data) // no wait: it is overdue
	h.expectWait(t, time.Hour, "after catching up")
	if got.Subject != "Service report 2026-12 (service web-shop)" {
		t.Errorf("subject %q", got.Subject)
	}
	h.stop()

	h = run(t, db, time.Date(2027, 1, 5, 11, 0, 0, 0, loc), r, spec)
	h.expectWait(t, time.Hour, "after the second restart")
	h.stop()
	select {
	case m := <-srv.received:
		t.Errorf("sent again after a restart: %.200s", m.data)
	default:
	}
	if n := len(r.calls()); n != 1 {
		t.Errorf("rendered %d times, want 1", n)
	}
}

// TestSchedulerUpdate: a reload that drops a report stops it and removes its series.
func TestSchedulerUpdate(t *testing.T) {
	db := openStore(t)
	folder := t.TempDir()
	a := monthly(t, nil, folder)
	b := a
	b.Name, b.Folder = "quarterly", t.TempDir()
	h := run(t, db, time.Date(2026, 12, 20, 10, 0, 0, 0, rome(t)), &fakeRenderer{}, a, b)
	h.expectWait(t, time.Hour, "first report")
	h.expectWait(t, time.Hour, "second report")
	if n := testutil.CollectAndCount(h.sched); n != 4 {
		t.Errorf("%d series for two reports, want 4 (two counters each)", n)
	}
	h.sched.Update([]Spec{a})
	h.expectWait(t, time.Hour, "the report kept, restarted")
	if n := testutil.CollectAndCount(h.sched); n != 2 {
		t.Errorf("%d series after the update, want 2", n)
	}
}

func TestRenderFailures(t *testing.T) {
	s := New(nil, Options{Render: (&fakeRenderer{}).render, State: openStore(t)})
	for _, tc := range []struct {
		name   string
		render Renderer
		want   string
	}{
		{"panic", func(context.Context, Request) ([]Attachment, error) { panic("boom") }, "render: the renderer panicked: boom"},
		{"nothing", func(context.Context, Request) ([]Attachment, error) { return nil, nil }, "render: the renderer returned no file"},
		{"a path", func(context.Context, Request) ([]Attachment, error) {
			return []Attachment{{Filename: "../etc/passwd", ContentType: "text/plain"}}, nil
		}, `render: the renderer returned the file name "../etc/passwd", which is not a plain file name`},
		{"a hidden file", func(context.Context, Request) ([]Attachment, error) {
			return []Attachment{{Filename: ".x.tmp", ContentType: "text/plain"}}, nil
		}, `render: the renderer returned the file name ".x.tmp", which is not a plain file name`},
		{"twice", func(context.Context, Request) ([]Attachment, error) {
			return []Attachment{{Filename: "a.csv", ContentType: "text/csv"}, {Filename: "a.csv", ContentType: "text/csv"}}, nil
		}, `render: the renderer returned "a.csv" twice`},
		{"bad type", func(context.Context, Request) ([]Attachment, error) {
			return []Attachment{{Filename: "a.csv", ContentType: "text/"}}, nil
		}, `render: the renderer returned "a.csv" with content type "text/": mime: expected token after slash`},
	} {
		s.opts.Render = tc.render
		_, err := s.render(context.Background(), Request{})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: error = %v, want %s", tc.name, err, tc.want)
		}
	}
}

// TestSchedulerRetriesOnlyWhatFailed: the e-mail goes out, the folder cannot be written; the
// retry writes the folder and does not send the e-mail again.
func TestSchedulerRetriesOnlyWhatFailed(t *testing.T) {
	cert := newTestCert(t)
	srv := startSMTP(t, cert, "reports", "pw")
	passFile := filepath.Join(t.TempDir(), "smtp.pass")
	writeSecret(t, passFile, "pw")
	folder := filepath.Join(t.TempDir(), "reports")
	if err := os.WriteFile(folder, nil, 0o600); err != nil { // a file where the folder should be
		t.Fatal(err)
	}
	db := openStore(t)
	h := run(t, db, time.Date(2027, 1, 4, 7, 30, 0, 0, rome(t)), &fakeRenderer{}, monthly(t, testEmail(t, srv, cert, "reports", passFile), folder))
	h.expectWait(t, 30*time.Minute, "before 08:00")
	h.clk.Advance(30 * time.Minute)
	srv.next(t)
	h.expectWait(t, 5*time.Minute, "after the folder failed")
	if logs := h.logs.String(); !strings.Contains(logs, "folder: mkdir "+folder+": not a directory") {
		t.Errorf("log:\n%s", logs)
	}
	if err := os.Remove(folder); err != nil {
		t.Fatal(err)
	}
	h.clk.Advance(5 * time.Minute)
	h.expectWait(t, time.Hour, "after delivering")
	if _, err := os.Stat(filepath.Join(folder, "2026-12", "sla-report-2026-12.html")); err != nil {
		t.Error(err)
	}
	select {
	case <-srv.received:
		t.Error("the retry sent the e-mail again")
	default:
	}
}
