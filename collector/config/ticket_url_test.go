package config

import (
	"net/url"
	"strings"
	"testing"
)

func TestTicketURL(t *testing.T) {
	for _, tc := range []struct {
		name, tmpl, id, want string
	}{
		{"query", "https://rt.example.com/Ticket/Display.html?id={id}", "4711", "https://rt.example.com/Ticket/Display.html?id=4711"},
		// In a query value, & = + # and space are escaped so the id stays one value.
		{"query escaped", "https://rt.example.com/Display.html?id={id}&x=1", "a&b=c #1+2", "https://rt.example.com/Display.html?id=a%26b%3Dc+%231%2B2&x=1"},
		// In the path, / ? and # are escaped so the id stays one segment.
		{"path", "https://jira.example.com/browse/{id}", "OPS-12", "https://jira.example.com/browse/OPS-12"},
		{"path escaped", "https://tool.example.com/t/{id}/view", "a/b?c#d e", "https://tool.example.com/t/a%2Fb%3Fc%23d%20e/view"},
		// Before the query, a path segment; after it, a value; twice is fine.
		{"both", "https://tool.example.com/t/{id}?ref={id}", "x/y z", "https://tool.example.com/t/x%2Fy%20z?ref=x%2Fy+z"},
		{"fragment", "http://tool.example.com/list#{id}", "<script>", "http://tool.example.com/list#%3Cscript%3E"},
		{"no template", "", "4711", ""},
		{"no id", "https://rt.example.com/?id={id}", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkTicketURL(tc.tmpl); err != nil {
				t.Fatalf("template refused: %v", err)
			}
			s := Source{TicketURL: tc.tmpl}
			if got := s.TicketLink(tc.id); got != tc.want {
				t.Errorf("TicketLink(%q) = %q, want %q", tc.id, got, tc.want)
			}
		})
	}
}

func TestTicketURLLoad(t *testing.T) {
	cfg, err := Load([]byte(strings.Replace(base, "    type: demo", "    type: demo\n    ticket_url: https://desk.example.com/t/{id}", 1)), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.TicketLink("desk", "INC 1"), "https://desk.example.com/t/INC%201"; got != want {
		t.Errorf("TicketLink = %q, want %q", got, want)
	}
	if got := cfg.TicketLink("nosuch", "1"); got != "" {
		t.Errorf("TicketLink of an unknown source = %q, want none", got)
	}
}

func TestTicketURLErrors(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"no placeholder", "https://rt.example.com/Ticket/Display.html?id=1",
			"test.yml:11: sources[0].ticket_url: no {id} placeholder for the ticket's id (e.g. https://rt.example.com/Ticket/Display.html?id={id})"},
		{"another placeholder", "https://jira.example.com/browse/{key}?x={id}",
			"test.yml:11: sources[0].ticket_url: unknown placeholder {key}: the only one is {id}"},
		{"relative", "/Ticket/Display.html?id={id}",
			"test.yml:11: sources[0].ticket_url: not an absolute http or https URL"},
		{"other scheme", "javascript:alert({id})",
			"test.yml:11: sources[0].ticket_url: not an absolute http or https URL"},
		{"no host", "https:///t/{id}",
			"test.yml:11: sources[0].ticket_url: no host: want an absolute URL such as https://tool.example.com/ticket/{id}"},
		{"credentials", "https://admin:s3cret@rt.example.com/t/{id}",
			"test.yml:11: sources[0].ticket_url: holds a user or password: a link shown to people must not carry credentials"},
		{"not a URL", "https://rt.example.com:port/t/{id}",
			`test.yml:11: sources[0].ticket_url: not a URL: invalid port ":port" after host`},
		{"not a string", "[a, b]",
			"test.yml:11: source field ticket_url: yaml: cannot unmarshal !!seq into string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(strings.Replace(base, "    type: demo", "    type: demo\n    ticket_url: "+tc.value, 1)), "test.yml", t.TempDir())
			if err == nil {
				t.Fatal("loaded")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Error("the error repeats the password")
			}
		})
	}
}

// FuzzTicketLink: whatever a ticket tool calls a ticket, its link stays on the configured host
// and path, with the id one path segment or one query value that reads back as the id.
func FuzzTicketLink(f *testing.F) {
	for _, id := range []string{"4711", "OPS-12", "a/b?c#d e", "../../admin", "%2F", "x&y=z"} {
		f.Add(id)
	}
	path := Source{TicketURL: "https://tool.example.com/t/{id}/view"}
	query := Source{TicketURL: "https://tool.example.com/show?id={id}&x=1"}
	f.Fuzz(func(t *testing.T, id string) {
		if id == "" {
			return
		}
		u, err := url.Parse(path.TicketLink(id))
		if err != nil {
			t.Fatalf("path link of %q: %v", id, err)
		}
		if u.Host != "tool.example.com" || u.RawQuery != "" || u.Fragment != "" {
			t.Errorf("path link of %q left its place: %s", id, u)
		}
		if seg, ok := strings.CutPrefix(u.EscapedPath(), "/t/"); !ok || !strings.HasSuffix(seg, "/view") {
			t.Errorf("path link of %q: %s", id, u.EscapedPath())
		} else if got, err := url.PathUnescape(strings.TrimSuffix(seg, "/view")); err != nil || got != id {
			t.Errorf("path link of %q reads back as %q (%v)", id, got, err)
		}
		u, err = url.Parse(query.TicketLink(id))
		if err != nil {
			t.Fatalf("query link of %q: %v", id, err)
		}
		if q := u.Query(); u.Host != "tool.example.com" || u.Path != "/show" || q.Get("id") != id || q.Get("x") != "1" || len(q) != 2 {
			t.Errorf("query link of %q: %s", id, u)
		}
	})
}
