package redmine

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The shapes of Redmine's REST API answers (app/views/issues/*.api.rsb in Redmine 5.0), reduced
// to what the mapping reads. Unknown keys are ignored: Redmine adds keys across versions and
// plugins add their own.

// issuePage is GET /issues.json.
type issuePage struct {
	// Issues are kept raw, so that one malformed issue is rejected rather than failing its page.
	Issues     []json.RawMessage `json:"issues"`
	TotalCount int               `json:"total_count"`
	Offset     int               `json:"offset"`
	Limit      int               `json:"limit"`
}

// issueDoc is GET /issues/{id}.json.
type issueDoc struct {
	Issue json.RawMessage `json:"issue"`
}

// statusList is GET /issue_statuses.json.
type statusList struct {
	IssueStatuses []struct {
		ID       int    `json:"id"`
		Name     string `json:"name"`
		IsClosed bool   `json:"is_closed"`
	} `json:"issue_statuses"`
}

// issue is one issue, with its journals when fetched with include=journals.
type issue struct {
	ID           int           `json:"id"`
	Project      *named        `json:"project"`
	Tracker      *named        `json:"tracker"`
	Status       *status       `json:"status"`
	Priority     *named        `json:"priority"`
	Author       *named        `json:"author"`
	AssignedTo   *named        `json:"assigned_to"`
	Category     *named        `json:"category"`
	FixedVersion *named        `json:"fixed_version"`
	CustomFields []customField `json:"custom_fields"`
	CreatedOn    string        `json:"created_on"`
	UpdatedOn    string        `json:"updated_on"`
	ClosedOn     *string       `json:"closed_on"`
	// SpentHours is the time logged on the issue itself in hours (total_spent_hours adds its
	// subtasks', which are tickets of their own): 0 when none, absent when the API user may not
	// view time entries (Redmine 5's issues/index.api.rsb and show.api.rsb write it only then).
	SpentHours *float64 `json:"spent_hours"`
	// Journals is nil when the answer had no journals key (a list item), and empty when the
	// issue has none.
	Journals []journal `json:"journals"`
}

// named is a reference to another object: a project, tracker, user ...
type named struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

type status struct {
	ID       int    `json:"id"`
	Name     string `json:"name"`
	IsClosed bool   `json:"is_closed"`
}

// customField is a custom field's value: a string, null, or a list of strings for a field
// taking several values.
type customField struct {
	ID    int             `json:"id"`
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

// values returns the field's values, empty ones left out.
func (cf *customField) values() ([]string, error) {
	v := strings.TrimSpace(string(cf.Value))
	if v == "" || v == "null" {
		return nil, nil
	}
	var out []string
	if strings.HasPrefix(v, "[") {
		var list []*string
		if err := json.Unmarshal(cf.Value, &list); err != nil {
			return nil, fmt.Errorf("custom field %q: the value is not a string or a list of strings", cf.Name)
		}
		for _, s := range list {
			if s != nil && strings.TrimSpace(*s) != "" {
				out = append(out, *s)
			}
		}
		return out, nil
	}
	var s string
	if err := json.Unmarshal(cf.Value, &s); err != nil {
		// Redmine writes every value as a string; a number or a boolean from a plugin reads as
		// written.
		var n json.Number
		var b bool
		switch {
		case json.Unmarshal(cf.Value, &n) == nil:
			s = n.String()
		case json.Unmarshal(cf.Value, &b) == nil:
			s = strconv.FormatBool(b)
		default:
			return nil, fmt.Errorf("custom field %q: the value is not a string or a list of strings", cf.Name)
		}
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	return []string{s}, nil
}

// journal is one change of an issue: notes, attribute changes, or both.
type journal struct {
	ID           int      `json:"id"`
	User         *named   `json:"user"`
	Notes        string   `json:"notes"`
	CreatedOn    string   `json:"created_on"`
	PrivateNotes bool     `json:"private_notes"`
	Details      []detail `json:"details"`
}

// detail is one attribute a journal changed. A status change is property "attr", name
// "status_id", with the old and new status ids as strings.
type detail struct {
	Property string  `json:"property"`
	Name     string  `json:"name"`
	OldValue *string `json:"old_value"`
	NewValue *string `json:"new_value"`
}

// issueID reads the id of a raw issue that does not decode, to name it in its rejection; 0 when
// even that fails.
func issueID(raw json.RawMessage) int {
	var v struct {
		ID json.Number `json:"id"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return 0
	}
	n, err := strconv.Atoi(v.ID.String())
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
