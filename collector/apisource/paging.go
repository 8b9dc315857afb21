package apisource

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// The paging styles of the APIs this package serves. A kind reads its page with one of these and
// hands the driver an opaque Next string: a URL, an offset, a page number, a cursor.

// NextLink returns the target of the rel="next" link of a Link header (RFC 8288), as GitHub,
// GitLab and ServiceNow send it; "" when there is none (the last page).
//
// https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api
func NextLink(h http.Header) string {
	for _, v := range h.Values("Link") {
		for len(v) > 0 {
			link, rest, ok := cutLink(v)
			if !ok {
				break
			}
			v = rest
			if hasRel(link.params, "next") {
				return link.target
			}
		}
	}
	return ""
}

type linkValue struct {
	target string
	params string
}

// cutLink reads one `<target>; params` link value and returns the rest after its comma.
func cutLink(v string) (linkValue, string, bool) {
	v = strings.TrimLeft(v, " \t,")
	if !strings.HasPrefix(v, "<") {
		return linkValue{}, "", false
	}
	end := strings.IndexByte(v, '>')
	if end < 0 {
		return linkValue{}, "", false
	}
	target := v[1:end]
	rest := v[end+1:]
	// Parameters run to the next comma outside quotes.
	inQuote := false
	i := 0
	for ; i < len(rest); i++ {
		switch rest[i] {
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				return linkValue{target: target, params: rest[:i]}, rest[i+1:], true
			}
		}
	}
	return linkValue{target: target, params: rest}, "", true
}

// hasRel reports whether link parameters hold rel=want (rel may list several relation types).
func hasRel(params, want string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
			continue
		}
		for rel := range strings.FieldsSeq(strings.Trim(strings.TrimSpace(v), `"`)) {
			if strings.EqualFold(rel, want) {
				return true
			}
		}
	}
	return false
}

// NextOffset is offset/limit paging with a total (Redmine's offset, limit and total_count; Jira
// Data Center's startAt, maxResults and total): the offset of the next page, and false after the
// last one. got is the number of items on the page just read; a page with none ends the listing
// whatever the total says, so that a total that grows under the reader cannot loop.
func NextOffset(offset, got, total int) (int, bool) {
	next := offset + got
	return next, got > 0 && next < total
}

// NextPage is page/per_page paging: the next page number from the X-Next-Page header when the
// API sends one (GitLab; empty on the last page), else from a full page (RT's page and
// per_page with next_page in the body are read by the kind). false after the last page.
func NextPage(h http.Header, page, perPage, got int) (int, bool) {
	if v, ok := h["X-Next-Page"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(strings.Join(v, "")))
		return n, err == nil && n > page
	}
	return page + 1, got > 0 && got >= perPage
}

// Cursor is an opaque cursor or token paging (Jira Cloud's nextPageToken and isLast, Zendesk's
// after_cursor and end_of_stream): the next token, and false after the last page. A last page
// is one that says so, or gives no token, or gives the token it was asked with (which would
// loop).
func Cursor(asked, next string, last bool) (string, bool) {
	if last || next == "" || next == asked {
		return "", false
	}
	return next, true
}

// DecodeJSON decodes a JSON answer into out. Its error names the endpoint and says what was
// wrong with the body (cut short, not JSON, not the shape expected), without quoting it.
func (r *Response) DecodeJSON(out any) error {
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	if err := dec.Decode(out); err != nil {
		var (
			syn *json.SyntaxError
			typ *json.UnmarshalTypeError
		)
		switch {
		case len(bytes.TrimSpace(r.Body)) == 0:
			return fmt.Errorf("%s: HTTP %d with an empty body where JSON was expected", r.what(), r.Status)
		case errors.Is(err, io.ErrUnexpectedEOF) || (errors.As(err, &syn) && int(syn.Offset) >= len(r.Body)):
			return fmt.Errorf("%s: the JSON answer is cut short after %d bytes (a truncated page)", r.what(), len(r.Body))
		case errors.As(err, &syn):
			return fmt.Errorf("%s: the answer is not JSON (byte %d: %v)%s", r.what(), syn.Offset, err, htmlHint(r.Header))
		case errors.As(err, &typ):
			return fmt.Errorf("%s: the JSON answer is not the shape expected: %s is %s where %s was expected", r.what(), cmp.Or(typ.Field, "the document"), typ.Value, typ.Type)
		}
		return fmt.Errorf("%s: reading the JSON answer: %v", r.what(), err)
	}
	if dec.More() {
		return fmt.Errorf("%s: the answer holds more than one JSON document", r.what())
	}
	return nil
}

func htmlHint(h http.Header) string {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(h.Get("Content-Type"))), "text/html") {
		return " (the server sent an HTML page: a login or proxy error page?)"
	}
	return ""
}

// what is the request as errors name it: "GET /path".
func (r *Response) what() string {
	return cmp.Or(r.Method, http.MethodGet) + " " + r.Endpoint
}
