package migrate

import (
	"regexp"
	"strings"
)

var (
	labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	// namePattern is the configuration's pattern for the names of services and objectives.
	namePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.:-]*$`)
	nameInvalid = regexp.MustCompile(`[^a-zA-Z0-9_.:-]+`)
)

// reservedLabels are set by the exporter on sla_objective_info; alertReserved are also set by
// the rules on alerts (docs/configuration.md, alerting).
var (
	reservedLabels = map[string]bool{"objective": true, "service": true, "kind": true, "period": true, "unit": true}
	alertReserved  = map[string]bool{"severity": true, "burn_tier": true, "source": true, "window": true, "status": true,
		"state": true, "kpi": true, "series": true, "target": true, "prober": true}
)

// keepLabels returns the labels the configuration accepts, reporting each one it cannot keep.
func keepLabels(r *Report, file string, line int, construct string, labels map[string]string, alert bool) map[string]string {
	var out map[string]string
	for _, k := range sortedKeys(labels) {
		if !labelName.MatchString(k) || reservedLabels[k] || (alert && alertReserved[k]) {
			r.add(file, line, None, construct+"."+k, "the label name is not valid here or is set by sla_exporter itself")
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = labels[k]
	}
	return out
}

// configName turns a name into one the configuration accepts, reporting a change.
func configName(r *Report, file string, line int, construct, name string) string {
	if namePattern.MatchString(name) {
		return name
	}
	fixed := strings.Trim(nameInvalid.ReplaceAllString(name, "-"), "-_.:")
	if fixed == "" {
		fixed = "unnamed"
	}
	r.add(file, line, Approximate, construct, "name "+quote(name)+" written as "+quote(fixed)+" (names take letters, digits, _ . : and -)")
	return fixed
}

func quote(s string) string { return `"` + s + `"` }
