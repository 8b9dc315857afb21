package rules

// The types below are the Prometheus rule file format (what rule_files, promtool and rulefmt
// read) and prometheus-operator's PrometheusRule object. They are what Generate builds and what
// the tests decode the generated files back into: the yaml tags say how each field is spelled.

// RuleFile is one Prometheus rule file: a single YAML document holding rule groups.
type RuleFile struct {
	Groups []Group `yaml:"groups"`
}

// Group is a rule group. Prometheus evaluates a group's rules in order, every Interval (its
// global evaluation_interval when empty), and groups concurrently.
type Group struct {
	Name     string `yaml:"name"`
	Interval string `yaml:"interval,omitempty"`
	Rules    []Rule `yaml:"rules"`
}

// Rule is a recording rule (Record set) or an alerting rule (Alert set).
type Rule struct {
	Record      string            `yaml:"record,omitempty"`
	Alert       string            `yaml:"alert,omitempty"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

// PrometheusRule is the prometheus-operator custom resource carrying rule groups.
type PrometheusRule struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   ObjectMeta `yaml:"metadata"`
	Spec       RuleFile   `yaml:"spec"`
}

// ObjectMeta is the part of a Kubernetes object's metadata a PrometheusRule needs.
type ObjectMeta struct {
	Name      string            `yaml:"name"`
	Namespace string            `yaml:"namespace,omitempty"`
	Labels    map[string]string `yaml:"labels,omitempty"`
}

// The PrometheusRule object's type.
const (
	OperatorAPIVersion = "monitoring.coreos.com/v1"
	OperatorKind       = "PrometheusRule"
)
