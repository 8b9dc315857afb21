package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the exporter binary the tests build once; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sla-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binDir = dir
	if missing := missingTools(); len(missing) > 0 {
		msg := fmt.Sprintf("e2e: %s not found: the deploy/e2e tests that need them are skipped (run deploy/ci/install-tools.sh)", strings.Join(missing, ", "))
		if os.Getenv("CI") != "" {
			msg = fmt.Sprintf("e2e: %s not found and CI is set: the deploy/e2e tests that need them FAIL (run deploy/ci/install-tools.sh)", strings.Join(missing, ", "))
		}
		fmt.Fprintln(os.Stderr, strings.Repeat("!", len(msg)))
		fmt.Fprintln(os.Stderr, msg)
		fmt.Fprintln(os.Stderr, strings.Repeat("!", len(msg)))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// toolNames are the names each tool goes by: Debian renames upstream's alertmanager.
var toolNames = map[string][]string{
	"prometheus":   {"prometheus"},
	"promtool":     {"promtool"},
	"alertmanager": {"prometheus-alertmanager", "alertmanager"},
	"amtool":       {"amtool"},
	"blackbox":     {"prometheus-blackbox-exporter", "blackbox_exporter"},
	// Debian's victoria-metrics package: the single-node server and vmalert (TestShardedHA).
	"victoria-metrics": {"victoria-metrics"},
	"vmalert":          {"vmalert"},
}

// lookTool finds a tool on PATH or in /usr/bin under any of its names.
func lookTool(tool string) (string, bool) {
	for _, name := range toolNames[tool] {
		if p, err := exec.LookPath(name); err == nil {
			return p, true
		}
		if p := filepath.Join("/usr/bin", name); isExecutable(p) {
			return p, true
		}
	}
	return "", false
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

func missingTools() []string {
	var missing []string
	for _, tool := range []string{"prometheus", "promtool", "alertmanager", "amtool", "blackbox"} {
		if _, ok := lookTool(tool); !ok {
			missing = append(missing, strings.Join(toolNames[tool], " or "))
		}
	}
	return missing
}

// requireTool returns the path of a tool. A missing tool skips the test with a loud message, or
// fails it when the CI environment variable is set: CI must have run deploy/ci/install-tools.sh.
func requireTool(t testing.TB, tool string) string {
	t.Helper()
	if p, ok := lookTool(tool); ok {
		return p
	}
	missing := strings.Join(toolNames[tool], " or ")
	if os.Getenv("CI") != "" {
		t.Fatalf("%s not found on PATH or in /usr/bin, and CI is set: a missing tool is a failure there. "+
			"CI must run deploy/ci/install-tools.sh before the tests.", missing)
	}
	bar := strings.Repeat("!", 100)
	t.Log(bar)
	t.Logf("!!! SKIPPING %s: %s is not installed (looked on PATH and in /usr/bin).", t.Name(), missing)
	t.Log("!!! This test checks the deploy bundles against the real Prometheus/Alertmanager tools.")
	t.Log("!!! Install them with: sudo deploy/ci/install-tools.sh   (with CI=1 set, this skip is a FAILURE)")
	t.Log(bar)
	t.SkipNow()
	return ""
}

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error
)

// moduleRoot is the folder of the module's go.mod, from `go env GOMOD`.
func moduleRoot(t testing.TB) string {
	t.Helper()
	rootOnce.Do(func() {
		out, err := exec.Command(goTool(), "env", "GOMOD").Output()
		if err != nil {
			rootErr = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		gomod := strings.TrimSpace(string(out))
		if gomod == "" || gomod == os.DevNull {
			rootErr = errors.New("go env GOMOD: not inside a module")
			return
		}
		rootDir = filepath.Dir(gomod)
	})
	if rootErr != nil {
		t.Fatal(rootErr)
	}
	return rootDir
}

// repoPath is a path inside the repository.
func repoPath(t testing.TB, elem ...string) string {
	return filepath.Join(append([]string{moduleRoot(t)}, elem...)...)
}

// goTool is the go command: the one on PATH, else the one of GOROOT.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "go"
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// exporterBinary builds ./cmd/sla_exporter once per test run (SLA_EXPORTER_BINARY names a
// prebuilt one instead) and returns its path.
func exporterBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SLA_EXPORTER_BINARY"); p != "" {
		return p
	}
	root := moduleRoot(t)
	buildOnce.Do(func() {
		out := filepath.Join(binDir, "sla_exporter")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goTool(), "build", "-o", out, "./cmd/sla_exporter")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/sla_exporter: %v\n%s", err, b)
			return
		}
		buildPath = out
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// run runs a command to its end (at most two minutes) and returns its combined output.
func run(t testing.TB, dir, bin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s did not finish in 2 minutes: %w", filepath.Base(bin), ctx.Err())
	}
	return string(out), err
}

// freePort is a TCP port free on 127.0.0.1 a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// proc is a server process the test started; it is stopped when the test ends.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
}

// startProc starts bin with args, its output going to a log file the test prints if it fails.
func startProc(t *testing.T, name, dir, bin string, args ...string) *proc {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = f, f
	dieWithTest(cmd)
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			t.Logf("--- %s (pid %d) %s, last lines of its log:\n%s", name, cmd.Process.Pid, p.state(), tail(p.log(), 40))
		}
	})
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) state() string {
	if p.exited() {
		return fmt.Sprintf("exited (%v)", p.waitErr)
	}
	return "running"
}

func (p *proc) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// stop ends the process by its PID: SIGTERM, then SIGKILL after 10 seconds.
func (p *proc) stop(t testing.TB) {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return
	case <-time.After(10 * time.Second):
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		t.Errorf("%s (pid %d) did not exit after SIGKILL", p.name, p.cmd.Process.Pid)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// server is a started server and the base URL it listens on.
type server struct {
	*proc
	addr string // 127.0.0.1:port
	url  string // http://127.0.0.1:port
}

// startServer starts a server on a free loopback port and waits (at most timeout) until
// readyPath answers 200. args gets the address and the server's own temporary folder. A server
// that exits before it is ready because another process took its port is started again on
// another one.
func startServer(t *testing.T, name, bin string, readyPath string, timeout time.Duration, args func(addr, dir string) []string) *server {
	t.Helper()
	for attempt := 1; ; attempt++ {
		dir := t.TempDir()
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		p := startProc(t, name, dir, bin, args(addr, dir)...)
		s := &server{proc: p, addr: addr, url: "http://" + addr}
		err := s.waitReady(readyPath, timeout)
		if err == nil {
			return s
		}
		if p.exited() && attempt < 3 && strings.Contains(p.log(), "address already in use") {
			t.Logf("%s: port %s was taken, starting again on another one", name, addr)
			continue
		}
		t.Fatalf("%s did not get ready on %s%s: %v\n%s", name, s.url, readyPath, err, tail(p.log(), 40))
	}
}

func (s *server) waitReady(path string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if s.exited() {
			return fmt.Errorf("%s %s", s.name, s.state())
		}
		resp, err := httpClient.Get(s.url + path)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s (last: %v)", timeout, last)
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// getJSON GETs url and decodes its JSON body into v.
func getJSON(url string, v any) error {
	resp, err := httpClient.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, bytes.TrimSpace(b))
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

// getText GETs url and returns its body.
func getText(url string) (string, error) {
	resp, err := httpClient.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(b), nil
}

// waitFor polls cond every interval until it holds; at the deadline it fails the test with what
// cond last reported.
func waitFor(t *testing.T, deadline time.Time, interval time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	var detail string
	for {
		var ok bool
		ok, detail = cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last: %s", what, detail)
		}
		time.Sleep(interval)
	}
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
