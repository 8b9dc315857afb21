package jira

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file is what the source decodes of Jira's answers: the issue bean of a search (the same
// in REST API 2 and 3 but for rich text, which the source never asks for), its changelog, and
// the values of the fields a mapping names.
//
// Shapes: the Cloud platform REST API's OpenAPI description (IssueBean, PageOfChangelogs,
// Changelog, ChangeDetails, StatusDetails, StatusCategory), as the public client jira.js renders
// it (MrRefactoring/jira.js, src/version3/models/), and Atlassian's Data Center REST reference for
// /rest/api/2/search.

// issue is an issue of a search: the paging needs its id, key and updated; the rest is decoded
// when it maps, so that one odd field is one rejected ticket, not a failed page.
type issue struct {
	ID        string                     `json:"id"`
	Key       string                     `json:"key"`
	Fields    map[string]json.RawMessage `json:"fields"`
	Changelog *changelog                 `json:"changelog"`
}

// changelog is an issue's expanded changelog: the search returns its first page only
// (maxResults histories of total).
type changelog struct {
	StartAt    int       `json:"startAt"`
	MaxResults int       `json:"maxResults"`
	Total      int       `json:"total"`
	Histories  []history `json:"histories"`
}

// truncated says the search returned part of the changelog.
func (c *changelog) truncated() bool {
	return c != nil && (c.StartAt > 0 || len(c.Histories) < c.Total)
}

// history is one change of an issue: the fields it changed at one instant.
type history struct {
	ID      string     `json:"id"`
	Created jiraTime   `json:"created"`
	Items   []histItem `json:"items"`
}

// histItem is one field's change; a status change has field "status", from and to the status
// ids, fromString and toString their names.
type histItem struct {
	Field      string  `json:"field"`
	FieldID    string  `json:"fieldId"`
	From       *string `json:"from"`
	FromString *string `json:"fromString"`
	To         *string `json:"to"`
	ToString   *string `json:"toString"`
}

// status is a status as an issue's status field and the status list give it.
type status struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	StatusCategory struct {
		Key string `json:"key"` // new, indeterminate, done (undefined: "No category")
	} `json:"statusCategory"`
}

// jiraTime is a Jira date-time: "2026-03-02T09:15:00.000+0100" (ISO 8601 with milliseconds
// and an offset without a colon), or RFC 3339.
type jiraTime struct{ time.Time }

// jiraLayout is the layout of Jira's date-times.
const jiraLayout = "2006-01-02T15:04:05.000-0700"

func (t *jiraTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("not a date-time string")
	}
	at, err := parseJiraTime(s)
	if err != nil {
		return err
	}
	t.Time = at
	return nil
}

// parseJiraTime reads a Jira date-time, in UTC.
func parseJiraTime(s string) (time.Time, error) {
	for _, layout := range []string{jiraLayout, "2006-01-02T15:04:05-0700", time.RFC3339Nano} {
		if at, err := time.Parse(layout, s); err == nil {
			return at.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a Jira date-time (2006-01-02T15:04:05.000-0700)", clip(s))
}

// clip shortens a value quoted in an error.
func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// field decodes a field of the issue into out; absent and null leave out as it is.
func (is *issue) field(name string, out any) (bool, error) {
	raw, ok := is.Fields[name]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return false, nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return false, fmt.Errorf("field %s: %v", name, err)
	}
	return true, nil
}

// updated is the issue's fields.updated, which the paging needs.
func (is *issue) updated() (time.Time, error) {
	var t jiraTime
	ok, err := is.field("updated", &t)
	switch {
	case err != nil:
		return time.Time{}, err
	case !ok || t.IsZero():
		return time.Time{}, fmt.Errorf("no fields.updated (is updated in the fields asked for?)")
	}
	return t.Time, nil
}

// display is the text of a field's value as a ticket field holds it: a string or number as it
// is; an object by its name, value or displayName (priority, issue type, select options, users),
// a JSM request type by its requestType's name, an option with a child as "parent / child"; a
// list's values joined by ", " in Jira's order. A value it cannot show is an error naming its
// JSON type.
func display(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return strings.TrimSpace(s), err
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return "", err
		}
		var parts []string
		for _, v := range list {
			s, err := display(v)
			if err != nil {
				return "", err
			}
			if s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", "), nil
	case '{':
		var o struct {
			Name        *string                `json:"name"`
			Value       *string                `json:"value"`
			DisplayName *string                `json:"displayName"`
			Key         *string                `json:"key"`
			RequestType *struct{ Name string } `json:"requestType"`
			Child       json.RawMessage        `json:"child"`
		}
		if err := json.Unmarshal(raw, &o); err != nil {
			return "", err
		}
		var s string
		switch {
		case o.RequestType != nil:
			s = o.RequestType.Name
		case o.Value != nil:
			s = *o.Value
		case o.Name != nil:
			s = *o.Name
		case o.DisplayName != nil:
			s = *o.DisplayName
		case o.Key != nil: // a project without a name asked for
			s = *o.Key
		default:
			return "", fmt.Errorf("an object without name, value, displayName or requestType")
		}
		if len(o.Child) > 0 {
			child, err := display(o.Child)
			if err != nil {
				return "", err
			}
			if child != "" {
				s += " / " + child
			}
		}
		return strings.TrimSpace(s), nil
	case 't', 'f':
		var b bool
		err := json.Unmarshal(raw, &b)
		return strconv.FormatBool(b), err
	default:
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", err
		}
		return n.String(), nil
	}
}
