package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ratio is a share of something, between 0 and 1, written as a number (0.95) or as a percentage
// ("95%", "99.9%"). A plain number above 1 is refused with the two ways to write what was most
// likely meant, since 95 for 95% is the usual slip and would otherwise pass as "always breached".
type ratio float64

// UnmarshalYAML reads a number or a percentage.
func (r *ratio) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseRatio(n)
	*r = ratio(v)
	return err
}

func parseRatio(n *yaml.Node) (float64, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, fmt.Errorf("line %d: want a ratio such as 0.95 or 95%%", n.Line)
	}
	text := strings.TrimSpace(n.Value)
	if v, ok, err := parsePercent(text); ok {
		return v, err
	}
	var v float64
	if err := n.Decode(&v); err != nil {
		return 0, fmt.Errorf("%q is not a ratio (write 0.95 or 95%%)", n.Value)
	}
	if v > 1 {
		return 0, fmt.Errorf("%s is not a ratio between 0 and 1 %s", text, ratioHint(text, v))
	}
	return v, nil
}

// decimal is a number as people write percentages: digits with an optional fraction and sign.
var decimal = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)$`)

// parsePercent reads "95%" as 0.95, exactly: 99.9% is the float64 nearest 0.999, as if 0.999
// had been written, not 99.9/100 (0.9990000000000001). ok is false when text is not a
// percentage at all.
func parsePercent(text string) (v float64, ok bool, err error) {
	num, found := strings.CutSuffix(text, "%")
	if !found {
		return 0, false, nil
	}
	num = strings.TrimSpace(num)
	if !decimal.MatchString(num) {
		return 0, true, fmt.Errorf("%q is not a percentage such as 95%% or 99.9%%", text)
	}
	v, err = strconv.ParseFloat(num+"e-2", 64)
	if err != nil {
		return 0, true, fmt.Errorf("%q is not a percentage such as 95%% or 99.9%%", text)
	}
	if v > 1 {
		return 0, true, fmt.Errorf("%s is more than 100%%", text)
	}
	return v, true, nil
}

// ratioHint says how to write a number above 1 that was meant as a percentage: "(write 0.95 or
// 95%)" for 95.
func ratioHint(text string, v float64) string {
	if v > 100 || !decimal.MatchString(text) {
		return "(write 0.95 or 95%)"
	}
	share, err := strconv.ParseFloat(text+"e-2", 64)
	if err != nil {
		return "(write 0.95 or 95%)"
	}
	return fmt.Sprintf("(write %s or %s%%)", strconv.FormatFloat(share, 'f', -1, 64), text)
}
