package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

// syncBuffer is a bytes.Buffer safe for the daemon's goroutines to write while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runCmd runs the command line to its end and returns what it printed.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, &out, &errOut, nil) }()
	select {
	case err = <-done:
	case <-time.After(90 * time.Second):
		t.Fatalf("%v did not return in 90s; stderr:\n%s", args, errOut.String())
	}
	return out.String(), errOut.String(), err
}

// writeFile writes a file in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// daemon is `sla_exporter serve` running in the test.
type daemon struct {
	t      *testing.T
	cancel context.CancelFunc
	done   chan error
	hup    chan os.Signal
	stderr *syncBuffer
	// base is the scheme and address to reach it (https://127.0.0.1:port).
	base   string
	client *http.Client
	// user and password are sent with every request when set.
	user, password string
	stopped        bool
	err            error
}

var listeningRE = regexp.MustCompile(`msg="Listening on" address=(\S+)`)

// startDaemon runs serve with args on 127.0.0.1, a port the system picks, and a fresh storage
// folder, and returns once it listens. scheme is http or https; client reaches it.
func startDaemon(t *testing.T, scheme string, client *http.Client, args ...string) *daemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemon{t: t, cancel: cancel, done: make(chan error, 1), hup: make(chan os.Signal, 1), stderr: &syncBuffer{}, client: client}
	if d.client == nil {
		d.client = &http.Client{Timeout: 30 * time.Second}
	}
	args = append([]string{"serve", "--web.listen-address=127.0.0.1:0", "--web.enable-lifecycle"}, args...)
	if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--storage.path=") }) {
		args = append(args, "--storage.path="+t.TempDir())
	}
	go func() { d.done <- run(ctx, args, io.Discard, d.stderr, d.hup) }()
	t.Cleanup(func() { d.stop() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(d.stderr.String()); m != nil {
			d.base = scheme + "://" + m[1]
			return d
		}
		select {
		case err := <-d.done:
			d.stopped, d.err = true, err
			t.Fatalf("serve returned before listening: %v\n%s", err, d.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve does not say where it listens after 30s:\n%s", d.stderr.String())
		}
	}
}

// stop cancels the daemon's context and returns what run returned.
func (d *daemon) stop() error {
	if d.stopped {
		return d.err
	}
	d.stopped = true
	d.cancel()
	select {
	case d.err = <-d.done:
	case <-time.After(30 * time.Second):
		d.err = errors.New("run did not return within 30s of its context ending")
	}
	return d.err
}

func (d *daemon) request(method, path string, body io.Reader) (int, string, error) {
	req, err := http.NewRequest(method, d.base+path, body)
	if err != nil {
		return 0, "", err
	}
	if d.user != "" {
		req.SetBasicAuth(d.user, d.password)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// get fetches path and fails the test unless it answers 200.
func (d *daemon) get(path string) string {
	d.t.Helper()
	code, body, err := d.request("GET", path, nil)
	if err != nil || code != 200 {
		d.t.Fatalf("GET %s: %d %v\n%s", path, code, err, body)
	}
	return body
}

// waitFor polls path until its body satisfies ok, and returns the body.
func (d *daemon) waitFor(path string, what string, ok func(body string) bool) string {
	d.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		code, body, err := d.request("GET", path, nil)
		if err == nil && code == 200 && ok(body) {
			return body
		}
		last = body
		time.Sleep(50 * time.Millisecond)
	}
	d.t.Fatalf("GET %s: no %s within 60s; last body:\n%.3000s\nlog:\n%s", path, what, last, d.stderr.String())
	return ""
}

// waitReady waits for /-/ready to answer 200.
func (d *daemon) waitReady() {
	d.t.Helper()
	d.waitFor("/-/ready", "readiness", func(string) bool { return true })
}

// waitMetric waits until /metrics has a line starting with prefix (a sample with its labels and
// value, or a metric name).
func (d *daemon) waitMetric(prefix string) string {
	d.t.Helper()
	return d.waitFor("/metrics", prefix, func(body string) bool { return hasLine(body, prefix) })
}

func hasLine(body, prefix string) bool {
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// sighup sends SIGHUP as main's signal handler would.
func (d *daemon) sighup() { d.hup <- syscall.SIGHUP }

// runSubcommand parses args for one subcommand, built by newCmd on a fresh application with a
// --config.file flag, and runs it with stdout and stderr captured together.
func runSubcommand(t *testing.T, newCmd func(*kingpin.Application, *configFlag) command, args ...string) (string, error) {
	t.Helper()
	app := kingpin.New("sla_exporter", "")
	configFile := &configFlag{}
	app.Flag("config.file", "").IsSetByUser(&configFile.set).StringVar(&configFile.file)
	cmd := newCmd(app, configFile)
	chosen, err := app.Parse(args)
	if err != nil {
		return "", err
	}
	if chosen != cmd.name() {
		t.Fatalf("parsed command %q, want %q", chosen, cmd.name())
	}
	var out bytes.Buffer
	err = cmd.run(context.Background(), env{stdout: &out, stderr: &out})
	return out.String(), err
}
