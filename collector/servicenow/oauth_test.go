package servicenow

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/servicenow/servicenowsim"
)

const (
	clientID     = "3e57bb02663102004d010ee8f561307a"
	clientSecret = "Simulated-OAuth-Client-Secret-7"
)

// oauthSource is a source authenticating with OAuth client credentials at the simulator's
// /oauth_token.do.
func oauthSource(t *testing.T, e *env) *Source {
	t.Helper()
	apitest.WriteToken(t, e.dir, "client_secret", clientSecret)
	doc := fmt.Sprintf("url: %s\nhttp_client_config:\n  oauth2:\n    client_id: %s\n    client_secret_file: client_secret\n"+
		"    token_url: %s/oauth_token.do\nrate_limit: {requests: 1000, per: 1s, burst: 1000}\n", e.sim.URL, clientID, e.sim.URL)
	src, err := newSource(apitest.Node(t, doc), e.opts(), e.clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

// TestOAuth: a token from /oauth_token.do serves every request of a sync while it is valid.
func TestOAuth(t *testing.T) {
	e := newEnv(t, servicenowsim.Options{ClientID: clientID, ClientSecret: clientSecret, TokenTTL: time.Hour})
	desk(e, 1, 120)
	b, err := oauthSource(t, e).Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Tickets) != 120 || e.sim.Requests("oauth") != 1 || e.sim.Requests("incident") != 2 {
		t.Errorf("%d tickets, %d token and %d listing requests; want 120, 1, 2", len(b.Tickets), e.sim.Requests("oauth"), e.sim.Requests("incident"))
	}
}

// TestOAuth_Revoked: the OAuth client disabled: the token endpoint refuses, the sync fails
// naming oauth2, and the secret shows nowhere; enabled again, the next sync recovers. The
// tokens here live 5 s, under the 10 s before expiry at which the client asks for a new one,
// so that each request asks: a token revoked while the client still holds it would be used
// until it expires (expires_in), which the documentation says.
func TestOAuth_Revoked(t *testing.T) {
	e := newEnv(t, servicenowsim.Options{ClientID: clientID, ClientSecret: clientSecret, TokenTTL: 5 * time.Second})
	desk(e, 1, 10)
	src := oauthSource(t, e)
	e.sim.Revoke()
	_, err := src.Sync(t.Context(), nil)
	want := `servicenow source "snow": GET /api/now/table/incident: oauth2: the token endpoint answered HTTP 401 Unauthorized (see http_client_config.oauth2): "{\"error_description\":\"access_denied\",\"error\":\"server_error\"}"`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
	if err != nil && (strings.Contains(err.Error(), clientSecret) || strings.Contains(err.Error(), password)) {
		t.Errorf("the error shows a secret: %v", err)
	}
	e.sim.Restore()
	b, err := src.Sync(t.Context(), nil)
	if err != nil || len(b.Tickets) != 10 {
		t.Errorf("after the client is enabled again: %d tickets, %v", len(b.Tickets), err)
	}
}
