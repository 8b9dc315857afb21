package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// idPlaceholder is where a ticket_url template takes the ticket's id.
const idPlaceholder = "{id}"

// placeholder finds any {...} in a template, to refuse those other than {id}: a {number} or
// {key} written for another tool's convention would otherwise stay in every link.
var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// checkTicketURL checks a source's ticket_url: empty, or an absolute http(s) URL holding {id}
// and no other placeholder. The template is not repeated in the error, as a query could hold a
// token; the error's position names it.
func checkTicketURL(tmpl string) error {
	if tmpl == "" {
		return nil
	}
	if !strings.Contains(tmpl, idPlaceholder) {
		return errors.New("no {id} placeholder for the ticket's id (e.g. https://rt.example.com/Ticket/Display.html?id={id})")
	}
	if p := placeholder.FindString(strings.ReplaceAll(tmpl, idPlaceholder, "")); p != "" {
		return fmt.Errorf("unknown placeholder %s: the only one is {id}", p)
	}
	u, err := url.Parse(strings.ReplaceAll(tmpl, idPlaceholder, "ID"))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL itself
		}
		return fmt.Errorf("not a URL: %v", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("not an absolute http or https URL")
	case u.Host == "":
		return errors.New("no host: want an absolute URL such as https://tool.example.com/ticket/{id}")
	case u.User != nil:
		// The link is shown on the status page and in reports.
		return errors.New("holds a user or password: a link shown to people must not carry credentials")
	}
	return nil
}

// TicketLink returns the link to the ticket id in the source's tool, or "" when the source has
// no ticket_url (or the id is empty). The id is escaped for where {id} stands: as a query value
// after "?", as a path segment before it (so "a/b" or "x?y" cannot change the link's path or
// query) and in the fragment.
func (s *Source) TicketLink(id string) string {
	if s.TicketURL == "" || id == "" {
		return ""
	}
	tmpl := s.TicketURL
	query := strings.IndexByte(tmpl, '?')
	fragment := strings.IndexByte(tmpl, '#')
	var b strings.Builder
	for at := 0; ; {
		i := strings.Index(tmpl[at:], idPlaceholder)
		if i < 0 {
			b.WriteString(tmpl[at:])
			return b.String()
		}
		i += at
		b.WriteString(tmpl[at:i])
		if query >= 0 && i > query && (fragment < 0 || i < fragment) {
			b.WriteString(url.QueryEscape(id))
		} else {
			b.WriteString(url.PathEscape(id))
		}
		at = i + len(idPlaceholder)
	}
}

// TicketLink returns the link to a ticket of the named source, or "" when there is no such
// source or it has no ticket_url.
func (c *Config) TicketLink(source, id string) string {
	for i := range c.Sources {
		if c.Sources[i].Name == source {
			return c.Sources[i].TicketLink(id)
		}
	}
	return ""
}
