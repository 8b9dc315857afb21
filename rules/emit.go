package rules

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The rule files are written by this small emitter rather than by yaml.v3's Marshal: the
// format is fixed (mappings of known keys, sequences of mappings, string scalars), and yaml.v3's
// general emitter spent about 40 µs per rule, 70% of generating 1,000 objectives. The emitter
// errs on the side of quoting, and the tests hold it to yaml.v3: every generated file is decoded
// back with yaml.v3 and compared with the groups it was written from, and FuzzScalar checks that
// any string survives the trip.

// appendGroup appends the group as an entry of a block sequence whose dashes are indented by
// ind spaces.
func appendGroup(b []byte, g *Group, ind int) []byte {
	b = appendField(b, ind, "- ", "name", g.Name)
	if g.Interval != "" {
		b = appendField(b, ind+2, "", "interval", g.Interval)
	}
	b = appendKey(b, ind+2, "", "rules")
	if len(g.Rules) == 0 {
		return append(b, " []\n"...)
	}
	b = append(b, '\n')
	for i := range g.Rules {
		b = appendRule(b, &g.Rules[i], ind+4)
	}
	return b
}

func appendRule(b []byte, r *Rule, ind int) []byte {
	if r.Alert != "" {
		b = appendField(b, ind, "- ", "alert", r.Alert)
	} else {
		b = appendField(b, ind, "- ", "record", r.Record)
	}
	b = appendField(b, ind+2, "", "expr", r.Expr)
	if r.For != "" {
		b = appendField(b, ind+2, "", "for", r.For)
	}
	b = appendMap(b, ind+2, "labels", r.Labels)
	return appendMap(b, ind+2, "annotations", r.Annotations)
}

// appendMap appends a mapping of strings under key, its keys sorted; nothing when it is empty.
func appendMap(b []byte, ind int, key string, m map[string]string) []byte {
	if len(m) == 0 {
		return b
	}
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = appendKey(b, ind, "", key)
	b = append(b, '\n')
	for _, k := range keys {
		b = appendField(b, ind+2, "", k, m[k])
	}
	return b
}

// maxImplicitKey bounds the keys written "key: value". YAML allows at most 1024 characters in
// such an implicit key and an escaped character takes up to six, so longer keys are written
// explicitly, "? key" and ": value" on the next line.
const maxImplicitKey = 1024 / 6

// appendKey appends indentation, the sequence entry marker dash (if any) and "key:".
func appendKey(b []byte, ind int, dash, key string) []byte {
	b = appendSpaces(b, ind)
	b = append(b, dash...)
	if len(key) > maxImplicitKey {
		b = append(b, "? "...)
		b = appendScalar(b, key, 0, true)
		b = append(b, '\n')
		b = appendSpaces(b, ind+len(dash))
		return append(b, ':')
	}
	b = appendScalar(b, key, 0, true)
	return append(b, ':')
}

// appendField appends "key: value" and a line break. ind is the indentation of the dash or,
// without one, of the key.
func appendField(b []byte, ind int, dash, key, value string) []byte {
	b = appendKey(b, ind, dash, key)
	b = append(b, ' ')
	b = appendScalar(b, value, ind+len(dash)+2, false)
	return append(b, '\n')
}

func appendSpaces(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

// appendScalar appends s as a plain scalar when that reads back as the same string, as a
// literal block (content indented by ind) when it is a clean multi-line text, and double-quoted
// otherwise. A key is never written as a block.
func appendScalar(b []byte, s string, ind int, key bool) []byte {
	switch {
	case plainSafe(s):
		return append(b, s...)
	case !key && literalSafe(s):
		b = append(b, "|-"...)
		for line := range strings.SplitSeq(s, "\n") {
			b = append(b, '\n')
			if line != "" {
				b = appendSpaces(b, ind)
				b = append(b, line...)
			}
		}
		return b
	}
	return appendQuoted(b, s)
}

// plainSafe reports whether s can be written unquoted and read back as the same string: it
// starts with a letter (so it is no number, timestamp, document marker or indicator), is not a
// word YAML 1.1 or 1.2 reads as a boolean or null, and holds only printable ASCII without the
// sequences that end a plain scalar (": ", " #") or trailing blanks.
func plainSafe(s string) bool {
	if s != "" && isDigit(s[0]) {
		return durationLike(s)
	}
	if s == "" || !isLetter(s[0]) || s[len(s)-1] == ' ' || s[len(s)-1] == ':' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < ' ' || c > '~' || c == '#':
			return false
		case c == ':' && s[i+1] == ' ': // i+1 exists: s does not end with ':'
			return false
		}
	}
	return !reservedWord(s)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// durationLike reports whether s is made of Prometheus durations joined by underscores, such as
// "5m", "1h30m" or the tier name "1h_5m": digits followed by one of the units ms, s, m, h, d,
// w, y. No YAML reader takes such a word for a number (no 'e', '.', 'x' or 'o' in it), a
// timestamp (no '-') or a sexagesimal (no ':'), so it may go unquoted.
func durationLike(s string) bool {
	for i := 0; i < len(s); {
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start || i == len(s) {
			return false
		}
		switch {
		case s[i] == 'm' && i+1 < len(s) && s[i+1] == 's':
			i += 2
		case strings.IndexByte("smhdwy", s[i]) >= 0:
			i++
		default:
			return false
		}
		if i < len(s) && s[i] == '_' {
			i++
			if i == len(s) {
				return false
			}
		}
	}
	return true
}

// reservedWord reports the words a YAML 1.1 or 1.2 reader may resolve to a boolean or null.
func reservedWord(s string) bool {
	if len(s) > 5 {
		return false
	}
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "true", "false", "on", "off", "null":
		return true
	}
	return false
}

// literalSafe reports whether s, holding a line break, can be written as a "|-" literal block:
// printable ASCII lines without trailing blanks, the first one not empty nor indented (which
// would change the detected indentation), and no final line break (which "-" strips).
func literalSafe(s string) bool {
	if !strings.Contains(s, "\n") || s[0] == ' ' || s[0] == '\n' || s[len(s)-1] == '\n' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' {
			if s[i-1] == ' ' {
				return false
			}
			continue
		}
		if c < ' ' || c > '~' {
			return false
		}
	}
	return s[len(s)-1] != ' '
}

// appendQuoted appends s as a YAML double-quoted scalar. Printable characters are kept, the
// others escaped; invalid UTF-8 becomes U+FFFD (configuration text is valid UTF-8 already).
func appendQuoted(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r < utf8.RuneSelf && r >= ' ' && r != 0x7f:
			b = append(b, byte(r))
		case r >= utf8.RuneSelf && unicode.IsPrint(r) && r != 0xFEFF:
			b = utf8.AppendRune(b, r)
		case r <= 0xFFFF:
			b = append(b, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
		default:
			b = append(b, '\\', 'U')
			for shift := 28; shift >= 0; shift -= 4 {
				b = append(b, hex[r>>uint(shift)&15])
			}
		}
	}
	return append(b, '"')
}
