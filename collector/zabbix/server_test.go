package zabbix

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
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

// The real Zabbix 6.0 of the integration test: Debian's zabbix-server-pgsql and
// zabbix-frontend-php, installed and prepared by deploy/ci/install-zabbix.sh. Each test copies
// the prepared PostgreSQL cluster and starts, as the zabbix user, PostgreSQL, the frontend
// under `php -S` (its api_jsonrpc.php is the API) and zabbix_server, on free loopback ports; it
// stops them, by process id, when it ends. Problems are made for real: trapper items and
// triggers created through the API, values sent to zabbix_server's trapper with the sender
// protocol, dated by the test, so that the server's events fall at instants chosen for hand
// arithmetic.

// Where install-zabbix.sh puts things.
const (
	zbxServerBin  = "/usr/sbin/zabbix_server"
	zbxFrontend   = "/usr/share/zabbix"
	zbxWebConfig  = "/etc/zabbix/zabbix.conf.php"
	zbxCluster    = "/var/lib/sla_exporter-ci/zabbix-pg"
	zbxPrepared   = "/var/lib/sla_exporter-ci/zabbix.prepared"
	zbxUser       = "zabbix"
	zbxAdminLogin = "Admin"
	zbxAdminPass  = "zabbix" // Debian's data.sql: the throwaway server's default password
)

// pgBin is PostgreSQL's server folder, the newest installed.
func pgBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best := ""
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil && (best == "" || versionLess(best, d)) {
			best = d
		}
	}
	return best
}

func versionLess(a, b string) bool {
	va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
	vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
	return va < vb
}

// requireZabbix skips the test, loudly, when the prepared Zabbix is missing; with CI set
// (CI=true) it fails it instead: CI must run deploy/ci/install-zabbix.sh first.
func requireZabbix(t *testing.T) {
	t.Helper()
	var missing []string
	for _, f := range []string{zbxServerBin, filepath.Join(zbxFrontend, "api_jsonrpc.php"), zbxWebConfig, zbxCluster, zbxPrepared} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f)
		}
	}
	if pgBin() == "" {
		missing = append(missing, "/usr/lib/postgresql/*/bin/postgres")
	}
	if _, err := exec.LookPath("php"); err != nil {
		missing = append(missing, "php")
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("Zabbix is not prepared (missing %s): run sudo deploy/ci/install-zabbix.sh", strings.Join(missing, ", "))
	if os.Getenv("CI") != "" {
		t.Fatalf("%s. CI is set: a missing server is a failure there.", msg)
	}
	bar := strings.Repeat("!", 100)
	t.Log(bar)
	t.Logf("!!! SKIPPING %s: %s", t.Name(), msg)
	t.Log("!!! This test checks the zabbix source against a real Zabbix 6.0 (with CI=1 set, this skip is a FAILURE).")
	t.Log(bar)
	t.SkipNow()
}

// asZabbix returns a command running as the zabbix user: directly when the test runs as root,
// through sudo -n otherwise. It leads a process group of its own, so that stopping it stops
// what it forked.
func asZabbix(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	var cmd *exec.Cmd
	if os.Geteuid() != 0 {
		cmd = exec.Command("sudo", append([]string{"-n", "-u", zbxUser, "--", name}, args...)...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		return cmd
	}
	u, err := user.Lookup(zbxUser)
	if err != nil {
		t.Fatalf("user %s: %v", zbxUser, err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	cmd = exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	return cmd
}

// zbxServer is a running Zabbix: its database, API and server.
type zbxServer struct {
	t       *testing.T
	dir     string
	url     string // the frontend, http://127.0.0.1:port/
	trapper string // zabbix_server's trapper, 127.0.0.1:port
	dbPort  int    // PostgreSQL's, on 127.0.0.1 and the socket in dir
	session string // Admin's API session
	procs   []*proc
}

// proc is a process the test started.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// start starts cmd, logging to dir/name.log.
func (z *zbxServer) start(name string, cmd *exec.Cmd) *proc {
	z.t.Helper()
	p := &proc{name: name, cmd: cmd, log: filepath.Join(z.dir, name+".out"), done: make(chan struct{})}
	f, err := os.Create(p.log)
	if err != nil {
		z.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		z.t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	z.procs = append(z.procs, p)
	return p
}

// stop ends the process group the test started: SIGTERM, SIGKILL after 20 s.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

// startZabbix brings a Zabbix up on a copy of the prepared database and waits until its API
// answers and its trapper listens.
func startZabbix(t *testing.T) *zbxServer {
	t.Helper()
	requireZabbix(t)
	began := time.Now()
	// Not t.TempDir: the zabbix user must reach the folder.
	dir, err := os.MkdirTemp("", "sla-zabbix-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	z := &zbxServer{t: t, dir: dir}
	t.Cleanup(func() {
		// The server first, while its database still answers: it flushes to it when stopping.
		for i := len(z.procs) - 1; i >= 0; i-- {
			z.procs[i].stop()
		}
		if t.Failed() {
			for _, p := range z.procs {
				b, _ := os.ReadFile(p.log)
				t.Logf("--- %s output:\n%s", p.name, tail(string(b), 30))
			}
			b, _ := os.ReadFile(filepath.Join(dir, "zabbix_server.log"))
			t.Logf("--- zabbix_server.log:\n%s", tail(string(b), 30))
		}
		os.RemoveAll(dir)
	})

	pg := filepath.Join(dir, "pg")
	if out, err := asZabbix(t, "cp", "-a", zbxCluster, pg).CombinedOutput(); err != nil {
		t.Fatalf("copy the prepared database as %s: %v\n%s", zbxUser, err, out)
	}
	dbPort := freePort(t)
	z.dbPort = dbPort
	z.start("postgres", asZabbix(t, filepath.Join(pgBin(), "postgres"), "-D", pg, "-p", strconv.Itoa(dbPort), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"))
	waitPort(t, z, dbPort)

	trapPort := freeTrapperPort(t)
	z.trapper = fmt.Sprintf("127.0.0.1:%d", trapPort)
	conf := filepath.Join(dir, "zabbix_server.conf")
	// The fewest processes that turn trapper values into events; nothing polls.
	lines := []string{
		"LogFile=" + filepath.Join(dir, "zabbix_server.log"), "PidFile=" + filepath.Join(dir, "zabbix_server.pid"),
		"SocketDir=" + dir, "DBHost=127.0.0.1", "DBPort=" + strconv.Itoa(dbPort), "DBName=zabbix", "DBUser=zabbix",
		"ListenIP=127.0.0.1", "ListenPort=" + strconv.Itoa(trapPort), "CacheUpdateFrequency=1",
		"StartPollers=0", "StartPollersUnreachable=0", "StartPingers=0", "StartDiscoverers=0", "StartHTTPPollers=0",
		"StartTrappers=2", "StartTimers=1", "StartEscalators=1", "StartAlerters=1", "StartDBSyncers=1",
		"StartPreprocessors=1", "StartLLDProcessors=1", "StartReportWriters=0", "StartJavaPollers=0",
		"StartVMwareCollectors=0", "StartSNMPTrapper=0", "StartProxyPollers=0", "StartODBCPollers=0",
		"HousekeepingFrequency=0", "Timeout=4", "ServiceManagerSyncFrequency=1",
	}
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	webPort := freePort(t)
	z.url = fmt.Sprintf("http://127.0.0.1:%d/", webPort)
	php := asZabbix(t, "env", "SLA_ZABBIX_DB_PORT="+strconv.Itoa(dbPort), "SLA_ZABBIX_SERVER_PORT="+strconv.Itoa(trapPort),
		"php", "-S", fmt.Sprintf("127.0.0.1:%d", webPort), "-t", zbxFrontend)
	z.start("php", php)
	// TZ: the server's local time, in which it starts recurring maintenance (unused here, as the
	// test reads maintenance definitions; kept apart from the machine's).
	srv := asZabbix(t, "env", "TZ=UTC", zbxServerBin, "-f", "-c", conf)
	z.start("zabbix_server", srv)

	deadline := time.Now().Add(60 * time.Second)
	for {
		var session string
		if err := z.try("user.login", map[string]any{"username": zbxAdminLogin, "password": zbxAdminPass}, &session, ""); err == nil {
			z.session = session
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Zabbix API did not answer on %s within 60 s", z.url)
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitPort(t, z, trapPort)
	t.Logf("Zabbix up in %s (API %s, trapper %s)", time.Since(began).Round(100*time.Millisecond), z.url, z.trapper)
	return z
}

// waitPort waits until something listens on 127.0.0.1:port, or a process of z exits.
func waitPort(t *testing.T, z *zbxServer, port int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, p := range z.procs {
			select {
			case <-p.done:
				b, _ := os.ReadFile(p.log)
				t.Fatalf("%s exited before it was ready:\n%s", p.name, tail(string(b), 30))
			default:
			}
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on 127.0.0.1:%d after 60 s", port)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// try makes one API call with the given auth (a session or a token; "" for none).
func (z *zbxServer) try(method string, params, out any, auth string) error {
	req := map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": 1}
	if auth != "" {
		req["auth"] = auth
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, z.url+"api_jsonrpc.php", bytes.NewReader(body))
	if err != nil {
		return err
	}
	hr.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var r response
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("%s: HTTP %d: %.200s", method, resp.StatusCode, data)
	}
	if r.Error != nil {
		return fmt.Errorf("%s: %s %s", method, r.Error.Message, r.Error.Data)
	}
	if out != nil {
		return json.Unmarshal(r.Result, out)
	}
	return nil
}

// call is try as Admin, failing the test on an error.
func (z *zbxServer) call(method string, params, out any) {
	z.t.Helper()
	if err := z.try(method, params, out, z.session); err != nil {
		z.t.Fatal(err)
	}
}

// sql runs a statement on the database as the zabbix user, for what the API cannot do.
func (z *zbxServer) sql(stmt string) {
	z.t.Helper()
	out, err := asZabbix(z.t, filepath.Join(pgBin(), "psql"), "-h", z.dir, "-p", strconv.Itoa(z.dbPort), "-d", "zabbix",
		"-v", "ON_ERROR_STOP=1", "-X", "-q", "-c", stmt).CombinedOutput()
	if err != nil {
		z.t.Fatalf("psql %q: %v\n%s", stmt, err, out)
	}
}

// value is one item value for the trapper.
type value struct {
	Host  string `json:"host"`
	Key   string `json:"key"`
	Value string `json:"value"`
	Clock int64  `json:"clock"`
	NS    int64  `json:"ns"`
}

// send hands values to zabbix_server's trapper with the sender protocol ("ZBXD", flags 1, the
// data's length as 8 little-endian bytes, then {"request":"sender data","data":[...]}), as
// zabbix_sender does; it retries while the server's configuration cache does not know the
// items yet.
func (z *zbxServer) send(vals ...value) {
	z.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		info, err := z.trySend(vals)
		if err == nil && strings.Contains(info, "failed: 0;") {
			return
		}
		if time.Now().After(deadline) {
			z.t.Fatalf("sending %d values: %v %s", len(vals), err, info)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (z *zbxServer) trySend(vals []value) (string, error) {
	data, err := json.Marshal(map[string]any{"request": "sender data", "data": vals})
	if err != nil {
		return "", err
	}
	conn, err := net.DialTimeout("tcp", z.trapper, 10*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var head [13]byte
	copy(head[:], "ZBXD\x01")
	binary.LittleEndian.PutUint64(head[5:], uint64(len(data)))
	if _, err := conn.Write(append(head[:], data...)); err != nil {
		return "", err
	}
	resp, err := io.ReadAll(conn)
	if err != nil {
		return "", err
	}
	if len(resp) < 13 || string(resp[:4]) != "ZBXD" {
		return "", fmt.Errorf("the trapper answered %q", resp)
	}
	var r struct {
		Response string `json:"response"`
		Info     string `json:"info"`
	}
	if err := json.Unmarshal(resp[13:], &r); err != nil {
		return "", err
	}
	if r.Response != "success" {
		return r.Info, fmt.Errorf("the trapper answered %s", r.Response)
	}
	return r.Info, nil
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

// freeTrapperPort is a free port in 1024-32767, the range zabbix_server's ListenPort takes.
func freeTrapperPort(t *testing.T) int {
	t.Helper()
	for range 200 {
		port := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no free port in 20000-32000")
	return 0
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
