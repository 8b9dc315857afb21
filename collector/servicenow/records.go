package servicenow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file decodes the Table API's rows. The source asks for stored values
// (sysparm_display_value=false) without reference links (sysparm_exclude_reference_link=true),
// so every field is a string: dates in UTC as "yyyy-MM-dd HH:mm:ss", choices as their values,
// references as sys_ids, dot-walked fields (assignment_group.name) as the referenced field's
// value. An instance that still sends a reference with its link ({"link", "value"}) or both
// values ({"display_value", "value"}) is read for the value.

// value is a field's stored value.
type value string

// UnmarshalJSON takes a string, a number, a boolean, null, or an object with a "value".
func (v *value) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return fmt.Errorf("an empty value")
	case string(b) == "null":
		*v = ""
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = value(s)
		return nil
	case b[0] == '{':
		var o struct {
			Value *value `json:"value"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		if o.Value == nil {
			return fmt.Errorf("an object without a value")
		}
		*v = *o.Value
		return nil
	case string(b) == "true" || string(b) == "false":
		*v = value(b)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string, got %s", kindOf(b))
	}
	*v = value(n.String())
	return nil
}

// kindOf names the JSON type of a value, for messages that must not quote it.
func kindOf(b []byte) string {
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == '[':
		return "an array"
	}
	return "another value"
}

// row is one row of an answer: field name to stored value.
type row map[string]value

// listing is a Table API answer.
type listing struct {
	Result []json.RawMessage `json:"result"`
}

// decodeRow decodes one row; its error names the field that does not decode.
func decodeRow(raw json.RawMessage) (row, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, fmt.Errorf("not a record (%s)", kindOf(bytes.TrimSpace(raw)))
	}
	r := make(row, len(fields))
	for k, b := range fields {
		var v value
		if err := v.UnmarshalJSON(b); err != nil {
			return nil, fmt.Errorf("field %s: %v", k, err)
		}
		r[k] = v
	}
	return r, nil
}

func (r row) get(field string) string { return string(r[field]) }

// time reads a date-time field: empty is zero; anything but "yyyy-MM-dd HH:mm:ss" is an error
// naming the field. Values are UTC (display values off).
func (r row) time(field string) (time.Time, error) {
	v := strings.TrimSpace(r.get(field))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateTime, v, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not a date-time (yyyy-MM-dd HH:mm:ss, UTC)", field, clip(v))
	}
	return t, nil
}

// duration reads a glide duration field, as the Table API gives it with display values off: a
// date-time counted from the epoch, "1970-01-01 00:38:00" for 38 minutes, "1970-01-02 01:00:00"
// for 25 hours. Empty is 0. This is how the Task table's Time worked (time_worked) reads: the
// time the form's timer ran while agents worked the record (ServiceNow's "Time worked" in Time
// configuration: "Used to track the time spent by the help desk while working on the record").
func (r row) duration(field string) (time.Duration, error) {
	at, err := r.time(field)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a duration (a date-time from 1970-01-01 00:00:00)", field, clip(r.get(field)))
	}
	if at.IsZero() {
		return 0, nil
	}
	d := at.Sub(time.Unix(0, 0))
	if d < 0 {
		return 0, fmt.Errorf("%s %q is before 1970-01-01 00:00:00: not a duration", field, clip(r.get(field)))
	}
	return d, nil
}

// int reads a whole-number field; empty is 0.
func (r row) int(field string) (int, error) {
	v := strings.TrimSpace(r.get(field))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s %q is not a whole number", field, clip(v))
	}
	return n, nil
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// validID says whether a sys_id can go into an encoded query as it is: ServiceNow's are 32
// hexadecimal digits; an imported record's may be other letters and digits, never ^ , = or
// space.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// stamp writes a time as an encoded query compares it: UTC, "yyyy-MM-dd HH:mm:ss". A date
// written in a query as text is read as the stored (UTC) value, whatever the user's zone.
func stamp(t time.Time) string { return t.UTC().Format(time.DateTime) }
