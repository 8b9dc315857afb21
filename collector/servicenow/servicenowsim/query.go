package servicenowsim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// This file reads the subset of ServiceNow's encoded query strings ("Encoded query strings",
// https://www.servicenow.com/docs/bundle/xanadu-platform-user-interface/page/use/using-lists/concept/c_EncodedQueryStrings.html)
// that a Table API client sends: conditions joined by ^ (AND) and ^OR (OR, binding the condition
// to the one before it, so that a^b^ORc is a AND (b OR c)), ORDERBY<field> and
// ORDERBYDESC<field>, and ^EQ, after which nothing is read. The operators are =, !=, >, >=, <,
// <=, IN, NOT IN, STARTSWITH, LIKE, ISEMPTY and ISNOTEMPTY. ^NQ (a new query OR'd at the top) is
// refused: no client here sends it.

// condition is one field comparison; set holds the values of IN and NOT IN.
type condition struct {
	field, op, value string
	set              map[string]bool
}

// clause is conditions OR'd together.
type clause []condition

// order is one ORDERBY term.
type order struct {
	field string
	desc  bool
}

// query is a parsed encoded query: clauses AND'ed, and the order.
type query struct {
	clauses []clause
	orders  []order
}

// operators, longest first so that ">=" is read before ">".
var operators = []string{"ISNOTEMPTY", "STARTSWITH", "ISEMPTY", "NOT IN", "LIKE", "!=", ">=", "<=", "IN", "=", ">", "<"}

// parseQuery reads an encoded query.
func parseQuery(q string) (query, error) {
	var out query
	if strings.TrimSpace(q) == "" {
		return out, nil
	}
	for tok := range strings.SplitSeq(q, "^") {
		switch {
		case tok == "":
			continue
		case tok == "EQ":
			return out, nil
		case tok == "NQ" || strings.HasPrefix(tok, "NQ"):
			return query{}, fmt.Errorf("^NQ is not modelled by the simulator")
		case strings.HasPrefix(tok, "ORDERBYDESC"):
			out.orders = append(out.orders, order{field: strings.TrimPrefix(tok, "ORDERBYDESC"), desc: true})
			continue
		case strings.HasPrefix(tok, "ORDERBY"):
			out.orders = append(out.orders, order{field: strings.TrimPrefix(tok, "ORDERBY")})
			continue
		}
		if rest, ok := strings.CutPrefix(tok, "OR"); ok && len(out.clauses) > 0 {
			if c, err := parseCondition(rest); err == nil {
				last := &out.clauses[len(out.clauses)-1]
				*last = append(*last, c)
				continue
			}
		}
		c, err := parseCondition(tok)
		if err != nil {
			return query{}, err
		}
		out.clauses = append(out.clauses, clause{c})
	}
	return out, nil
}

// parseCondition reads field, operator and value.
func parseCondition(tok string) (condition, error) {
	i := 0
	for i < len(tok) && isFieldByte(tok[i]) {
		i++
	}
	field, rest := tok[:i], tok[i:]
	if field == "" {
		return condition{}, fmt.Errorf("condition %q has no field", tok)
	}
	for _, op := range operators {
		if v, ok := strings.CutPrefix(rest, op); ok {
			c := condition{field: field, op: op, value: v}
			if op == "IN" || op == "NOT IN" {
				c.set = map[string]bool{}
				for w := range strings.SplitSeq(v, ",") {
					c.set[w] = true
				}
			}
			return c, nil
		}
	}
	return condition{}, fmt.Errorf("condition %q has no operator the simulator knows", tok)
}

func isFieldByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_' || b == '.'
}

// numericFields compare as numbers: ServiceNow's integer columns.
var numericFields = []string{"state", "priority", "impact", "urgency", "hold_reason", "reopen_count", "reassignment_count",
	"sys_mod_count", "record_checkpoint"}

// matches says whether the record passes the condition; get reads a (possibly dot-walked)
// field, ok false when the field does not exist.
func (c condition) matches(get func(string) (string, bool)) bool {
	v, _ := get(c.field)
	numeric := slices.Contains(numericFields, c.field)
	cmp := func(want string) int {
		if numeric {
			a, errA := strconv.ParseFloat(v, 64)
			b, errB := strconv.ParseFloat(want, 64)
			if errA == nil && errB == nil {
				switch {
				case a < b:
					return -1
				case a > b:
					return 1
				}
				return 0
			}
		}
		return strings.Compare(v, want)
	}
	switch c.op {
	case "=":
		return cmp(c.value) == 0
	case "!=":
		return cmp(c.value) != 0
	case ">":
		return v != "" && cmp(c.value) > 0
	case ">=":
		return v != "" && cmp(c.value) >= 0
	case "<":
		return v != "" && cmp(c.value) < 0
	case "<=":
		return v != "" && cmp(c.value) <= 0
	case "IN", "NOT IN":
		in := c.set[v]
		if !in && numeric {
			in = slices.ContainsFunc(strings.Split(c.value, ","), func(w string) bool { return cmp(w) == 0 })
		}
		return in == (c.op == "IN")
	case "STARTSWITH":
		return strings.HasPrefix(v, c.value)
	case "LIKE":
		return strings.Contains(strings.ToLower(v), strings.ToLower(c.value))
	case "ISEMPTY":
		return v == ""
	case "ISNOTEMPTY":
		return v != ""
	}
	return false
}

// matches says whether the record passes the query. A condition on a field the table does not
// have is left out, as ServiceNow does unless glide.invalid_query.returns_no_rows is set (then,
// with strict, nothing matches).
func (q query) matches(get func(string) (string, bool), strict bool) bool {
	for _, cl := range q.clauses {
		any, valid := false, false
		for _, c := range cl {
			if _, ok := get(c.field); !ok {
				continue
			}
			valid = true
			if c.matches(get) {
				any = true
				break
			}
		}
		switch {
		case !valid && strict:
			return false
		case valid && !any:
			return false
		}
	}
	return true
}

// compare orders two records by the query's order, then by sys_id (ServiceNow's order among
// equals is the database's; a fixed one keeps the simulator's answers the same on every run).
func (q query) compare(a, b func(string) (string, bool)) int {
	for _, o := range q.orders {
		x, _ := a(o.field)
		y, _ := b(o.field)
		c := strings.Compare(x, y)
		if slices.Contains(numericFields, o.field) {
			fx, ex := strconv.ParseFloat(x, 64)
			fy, ey := strconv.ParseFloat(y, 64)
			if ex == nil && ey == nil {
				c = 0
				if fx < fy {
					c = -1
				} else if fx > fy {
					c = 1
				}
			}
		}
		if o.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	x, _ := a("sys_id")
	y, _ := b("sys_id")
	return strings.Compare(x, y)
}
