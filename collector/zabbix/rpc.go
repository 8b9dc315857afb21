package zabbix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// endpoint is the API's address under the frontend's.
const endpoint = "api_jsonrpc.php"

// contentType is what Zabbix's documentation sends (the API takes application/json too).
const contentType = "application/json-rpc"

// maxTokenFile bounds what is read of token_file: an API token is 64 hex digits.
const maxTokenFile = 4 << 10

// conn is one sync's use of the API: its session (requests counted, capped, retried), the token
// read for it and how the server takes it.
type conn struct {
	s       *apisource.Session
	api     *apisource.Settings
	token   string
	version version
	id      int
}

// version is the server's API version, major and minor.
type version struct{ major, minor int }

func (v version) atLeast(major, minor int) bool {
	return v.major > major || (v.major == major && v.minor >= minor)
}

func (v version) String() string { return fmt.Sprintf("%d.%d", v.major, v.minor) }

// parseVersion reads apiinfo.version's "6.0.14".
func parseVersion(s string) (version, error) {
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return version{}, fmt.Errorf("apiinfo.version: %q is not a version", s)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || major < 0 || minor < 0 {
		return version{}, fmt.Errorf("apiinfo.version: %q is not a version", s)
	}
	return version{major, minor}, nil
}

// readToken reads token_file; its errors name the file, never its contents.
func readToken(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("token_file: %w", err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("token_file: %w", err)
	}
	if len(b) > maxTokenFile {
		return "", fmt.Errorf("token_file %s is larger than %d bytes: not an API token", path, maxTokenFile)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token_file %s is empty", path)
	}
	if strings.ContainsAny(tok, "\"\\\r\n\t ") {
		return "", fmt.Errorf("token_file %s holds more than one word: not an API token", path)
	}
	return tok, nil
}

// request is a JSON-RPC 2.0 call as api_jsonrpc.php takes it.
type request struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
	ID      int    `json:"id"`
	Auth    string `json:"auth,omitempty"`
}

// response is its answer: a result or an error object.
type response struct {
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

// rpcError is JSON-RPC's error object as Zabbix fills it: a code, a message ("Invalid
// params.") and data, the reason ("Not authorised.").
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data"`
}

// call makes one JSON-RPC call and decodes its result into out. Errors name the method; an
// error object is an error quoting Zabbix's message and data, scrubbed of the token.
func (c *conn) call(method string, params, out any) error {
	c.id++
	req := request{JSONRPC: "2.0", Method: method, Params: params, ID: c.id}
	// apiinfo.version refuses a token ("must be called without the auth parameter").
	authed := method != "apiinfo.version" && c.token != ""
	header := http.Header{"Content-Type": {contentType}}
	if authed {
		if c.version.atLeast(6, 4) {
			header.Set("Authorization", "Bearer "+c.token)
		} else {
			req.Auth = c.token
		}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("%s: encoding the request: %w", method, err)
	}
	var secrets []string
	if c.token != "" {
		secrets = []string{c.token}
	}
	resp, err := c.s.Get(apisource.Request{Path: endpoint, Method: http.MethodPost, Body: body, Header: header, Secrets: secrets})
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	var r response
	if err := resp.DecodeJSON(&r); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if r.Error != nil {
		return c.rpcFailure(method, r.Error)
	}
	if len(bytes.TrimSpace(r.Result)) == 0 {
		return fmt.Errorf("%s: POST %s: the answer has neither a result nor an error", method, resp.Endpoint)
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		return fmt.Errorf("%s: POST %s: the result is not the shape expected: %s", method, resp.Endpoint, shapeError(err))
	}
	return nil
}

// ErrAuth is wrapped by the errors of a refused token.
var ErrAuth = errors.New("the API token was refused")

// rpcFailure words an error object. A refused token (Zabbix: "Not authorised.", "Session
// terminated, re-login, please.", "API token expired.") says which setting to check.
func (c *conn) rpcFailure(method string, e *rpcError) error {
	sc := apisource.NewScrubber(&c.api.Client).With(c.token)
	msg := fmt.Sprintf("%s: Zabbix answered error %d %q", method, e.Code, sc.Scrub(clip(e.Message)))
	if e.Data != "" {
		msg += ": " + strconv.Quote(sc.Scrub(clip(e.Data)))
	}
	d := strings.ToLower(e.Data)
	if strings.Contains(d, "not authori") || strings.Contains(d, "session terminated") || strings.Contains(d, "token") && strings.Contains(d, "expired") {
		return fmt.Errorf("%s (%w: check token_file, the token's expiry and that its user may read the hosts)", msg, ErrAuth)
	}
	return errors.New(msg)
}

// clip bounds a message quoted from the server.
func clip(s string) string {
	const most = 256
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= most {
		return s
	}
	for i := most; i > 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return s[:i] + "…"
		}
	}
	return ""
}

// shapeError says what did not fit, without quoting the value.
func shapeError(err error) string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		field := typ.Field
		if field == "" {
			field = "the result"
		}
		return fmt.Sprintf("%s is %s where %s was expected", field, typ.Value, typ.Type)
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("not JSON at byte %d", syn.Offset)
	}
	return "cannot be decoded"
}
