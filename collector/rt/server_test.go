package rt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The real Request Tracker for the integration tests: Debian's request-tracker5, installed and
// prepared by deploy/ci/install-rt.sh. Each test starts its own rt-server on a free loopback port,
// on a copy of the prepared database, as www-data (RT's files are its), and with a clock the test
// sets (testdata/SLAClock.pm), so that tickets, transactions and RT's own SLA Due are dated at
// instants chosen for hand arithmetic.

// Where install-rt.sh puts things.
const (
	rtServerBin     = "/usr/share/request-tracker5/libexec/rt-server"
	rtDatabase      = "/var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb"
	rtSiteConfig    = "/etc/request-tracker5/RT_SiteConfig.d/99-sla-exporter-ci.pm"
	rtRootToken     = "/var/lib/sla_exporter-ci/rt.token"
	rtCustomerToken = "/var/lib/sla_exporter-ci/rt-customer.token"
	rtUser          = "www-data"
)

// requireRT skips the test, loudly, when the prepared RT is missing; with CI set (CI=true) it
// fails it instead: CI must run deploy/ci/install-rt.sh first.
func requireRT(t *testing.T) {
	t.Helper()
	var missing []string
	for _, f := range []string{rtServerBin, rtDatabase, rtSiteConfig, rtRootToken, rtCustomerToken} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("Request Tracker is not prepared (missing %s): run sudo deploy/ci/install-rt.sh", strings.Join(missing, ", "))
	if os.Getenv("CI") != "" {
		t.Fatalf("%s. CI is set: a missing server is a failure there.", msg)
	}
	bar := strings.Repeat("!", 100)
	t.Log(bar)
	t.Logf("!!! SKIPPING %s: %s", t.Name(), msg)
	t.Log("!!! This test checks the rt source against a real RT 5 (with CI=1 set, this skip is a FAILURE).")
	t.Log(bar)
	t.SkipNow()
}

// rtServer is a running rt-server.
type rtServer struct {
	t        *testing.T
	url      string // http://127.0.0.1:port
	dir      string // its database copy, clock file and log
	root     string // root's token
	customer string // the customer's token
	cmd      *exec.Cmd
	done     chan struct{}
}

// asRT returns a command running as www-data: directly when the test runs as root, through
// sudo -n otherwise (CI runners have passwordless sudo).
func asRT(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	if os.Geteuid() != 0 {
		return exec.Command("sudo", append([]string{"-n", "-u", rtUser, "--", name}, args...)...)
	}
	u, err := user.Lookup(rtUser)
	if err != nil {
		t.Fatalf("user %s: %v", rtUser, err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	return cmd
}

// startRT starts rt-server on a copy of the prepared database and waits until REST2 answers. The
// server is stopped (SIGTERM, by its process id) and its files removed when the test ends.
func startRT(t *testing.T) *rtServer {
	t.Helper()
	requireRT(t)
	s := &rtServer{t: t, root: readToken(t, rtRootToken), customer: readToken(t, rtCustomerToken), done: make(chan struct{})}

	// Not t.TempDir: www-data must reach the folder, and SQLite writes its journal beside the
	// database.
	dir, err := os.MkdirTemp("", "sla-rt-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	s.dir = dir
	clock, err := os.ReadFile(filepath.Join("testdata", "SLAClock.pm"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "SLAClock.pm"), clock, 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "rtdb")
	if out, err := asRT(t, "cp", rtDatabase, db).CombinedOutput(); err != nil {
		t.Fatalf("copy RT's database as %s: %v\n%s", rtUser, err, out)
	}

	port := freePort(t)
	s.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	logPath := filepath.Join(dir, "rt-server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	s.cmd = asRT(t, "env", "SLA_RT_PORT="+strconv.Itoa(port), "SLA_RT_DB="+db, "SLA_RT_CLOCK="+filepath.Join(dir, "clock"),
		"PERL5LIB="+dir, "PERL5OPT=-MSLAClock", "HOME="+dir,
		rtServerBin, "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start rt-server: %v", err)
	}
	go func() {
		_ = s.cmd.Wait()
		logFile.Close()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("--- rt-server log:\n%s", tail(string(b), 40))
		}
	})

	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case <-s.done:
			b, _ := os.ReadFile(logPath)
			t.Fatalf("rt-server exited before it was ready:\n%s", tail(string(b), 40))
		default:
		}
		if code, _ := s.try(s.root, http.MethodGet, "/REST/2.0/queues/all", nil, nil); code == http.StatusOK {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("rt-server did not answer on %s within 90 s", s.url)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stop ends the server by its process id: SIGTERM (rt-server stops its workers), SIGKILL after
// ten seconds. Under sudo the signal is relayed.
func (s *rtServer) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// setTime sets the time RT sees, until set again.
func (s *rtServer) setTime(at time.Time) {
	s.t.Helper()
	path := filepath.Join(s.dir, "clock")
	if err := os.WriteFile(path+".tmp", []byte(strconv.FormatInt(at.Unix(), 10)+"\n"), 0o644); err != nil {
		s.t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		s.t.Fatal(err)
	}
}

// try makes one REST2 call as the token's user; out, when not nil, receives the JSON answer.
func (s *rtServer) try(token, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "token "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(data, out)
	}
	return resp.StatusCode, nil
}

// call is try that fails the test on an error.
func (s *rtServer) call(token, method, path string, body, out any) {
	s.t.Helper()
	if _, err := s.try(token, method, path, body, out); err != nil {
		s.t.Fatal(err)
	}
}

// enableSLA turns the SLA on for a queue: RT has it off per queue by default.
func (s *rtServer) enableSLA(queue string) {
	s.t.Helper()
	s.call(s.root, http.MethodPut, "/REST/2.0/queue/"+queue, map[string]any{"SLADisabled": 0}, nil)
}

// create makes a ticket as the token's user and returns its id.
func (s *rtServer) create(token string, fields map[string]any) string {
	s.t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	s.call(token, http.MethodPost, "/REST/2.0/ticket", fields, &out)
	if out.ID == "" {
		s.t.Fatalf("creating a ticket gave no id")
	}
	return out.ID
}

// update sets fields of a ticket (Status, Priority, CustomFields ...).
func (s *rtServer) update(token, id string, fields map[string]any) {
	s.t.Helper()
	s.call(token, http.MethodPut, "/REST/2.0/ticket/"+id, fields, nil)
}

// reply adds a correspondence (kind "correspond") or an internal comment ("comment").
func (s *rtServer) reply(token, id, kind, content string) {
	s.t.Helper()
	s.call(token, http.MethodPost, "/REST/2.0/ticket/"+id+"/"+kind, map[string]any{"Content": content, "ContentType": "text/plain"}, nil)
}

// replyWorked is reply with time worked: the minutes an agent enters in TimeTaken on the
// update, which RT adds to the ticket's TimeWorked.
func (s *rtServer) replyWorked(token, id, kind, content string, minutes int) {
	s.t.Helper()
	s.call(token, http.MethodPost, "/REST/2.0/ticket/"+id+"/"+kind,
		map[string]any{"Content": content, "ContentType": "text/plain", "TimeTaken": minutes}, nil)
}

// dueChange is RT setting a ticket's Due.
type dueChange struct {
	At, Due time.Time
}

// dues lists the Due RT set on a ticket over time, from its history's "Set Due" transactions:
// RT writes no other record of the deadlines it had.
func (s *rtServer) dues(id string) []dueChange {
	s.t.Helper()
	var pg historyPage
	s.call(s.root, http.MethodGet, "/REST/2.0/ticket/"+id+"/history?per_page=100&fields=Type,Field,NewValue,Created", nil, &pg)
	var out []dueChange
	for _, tx := range pg.Items {
		if tx.Type != "Set" || tx.Field != "Due" {
			continue
		}
		at, err := rtTime(tx.Created)
		if err != nil {
			s.t.Fatal(err)
		}
		// Transaction values are RT's SQL dates, in UTC.
		due, err := time.Parse(time.DateTime, string(tx.NewValue))
		if err != nil {
			s.t.Fatal(err)
		}
		out = append(out, dueChange{At: at, Due: due.UTC()})
	}
	return out
}

func readToken(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// freePort is a TCP port free on 127.0.0.1 a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
