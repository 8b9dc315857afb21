package dashboards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
)

// The types below model the part of Grafana's classic dashboard JSON the dashboards use, plus the
// fields Grafana's dashboard JSON schema requires (schemaVersion, templating, annotations; a
// panel's type, fieldConfig.defaults and fieldConfig.overrides, gridPos h, w, x, y). Decoding is
// strict: any other field is an error, so a dashboard exported from the UI and pasted over a file
// (with "__inputs", "__requires", a numeric "id" ...) fails the tests instead of provisioning. The
// plugin-specific parts (panel options, fieldConfig custom, transformation options, override
// values) stay untyped, as in the schema.

type dashboard struct {
	UID           string       `json:"uid"`
	Title         string       `json:"title"`
	Description   string       `json:"description"`
	Tags          []string     `json:"tags"`
	Timezone      string       `json:"timezone"`
	Editable      bool         `json:"editable"`
	GraphTooltip  int          `json:"graphTooltip"`
	Time          *timeRange   `json:"time"`
	Refresh       string       `json:"refresh"`
	SchemaVersion *int         `json:"schemaVersion"`
	Version       int          `json:"version"`
	Links         []link       `json:"links"`
	Annotations   *annotations `json:"annotations"`
	Templating    *templating  `json:"templating"`
	Panels        []panel      `json:"panels"`
}

type timeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type link struct {
	Title       string   `json:"title"`
	Type        string   `json:"type"`
	Tags        []string `json:"tags"`
	AsDropdown  bool     `json:"asDropdown"`
	Icon        string   `json:"icon"`
	Tooltip     string   `json:"tooltip"`
	IncludeVars bool     `json:"includeVars"`
	KeepTime    bool     `json:"keepTime"`
	TargetBlank bool     `json:"targetBlank"`
}

type annotations struct {
	List []json.RawMessage `json:"list"`
}

type templating struct {
	List []variable `json:"list"`
}

// variable is a template variable. Query is a string: the schema also allows the object form the
// newer query editor writes, which these dashboards do not use.
type variable struct {
	Name        string         `json:"name"`
	Label       string         `json:"label"`
	Description string         `json:"description"`
	Type        string         `json:"type"`
	Datasource  *datasourceRef `json:"datasource"`
	Query       string         `json:"query"`
	Refresh     int            `json:"refresh"`
	Regex       string         `json:"regex"`
	Sort        int            `json:"sort"`
	Hide        int            `json:"hide"`
	Multi       bool           `json:"multi"`
	IncludeAll  bool           `json:"includeAll"`
	AllValue    string         `json:"allValue"`
	Current     *option        `json:"current"`
}

// option is a variable's current value: text and value are a string or, for multi-value
// variables, a list of strings.
type option struct {
	Text     json.RawMessage `json:"text"`
	Value    json.RawMessage `json:"value"`
	Selected bool            `json:"selected"`
}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID              *int             `json:"id"`
	Type            string           `json:"type"`
	Title           string           `json:"title"`
	Description     string           `json:"description"`
	Datasource      *datasourceRef   `json:"datasource"`
	GridPos         *gridPos         `json:"gridPos"`
	Targets         []target         `json:"targets"`
	FieldConfig     *fieldConfig     `json:"fieldConfig"`
	Options         map[string]any   `json:"options"`
	Transformations []transformation `json:"transformations"`
}

type gridPos struct {
	H *int `json:"h"`
	W *int `json:"w"`
	X *int `json:"x"`
	Y *int `json:"y"`
}

type target struct {
	Datasource   *datasourceRef `json:"datasource"`
	RefID        string         `json:"refId"`
	Expr         string         `json:"expr"`
	LegendFormat string         `json:"legendFormat"`
	Instant      bool           `json:"instant"`
	Range        bool           `json:"range"`
	Format       string         `json:"format"`
}

type fieldConfig struct {
	Defaults  *fieldDefaults `json:"defaults"`
	Overrides []override     `json:"overrides"`
}

type fieldDefaults struct {
	Unit       string         `json:"unit"`
	Decimals   *float64       `json:"decimals"`
	Min        *float64       `json:"min"`
	NoValue    string         `json:"noValue"`
	Color      *fieldColor    `json:"color"`
	Thresholds *thresholds    `json:"thresholds"`
	Mappings   []valueMapping `json:"mappings"`
	Custom     map[string]any `json:"custom"`
}

type fieldColor struct {
	Mode       string `json:"mode"`
	FixedColor string `json:"fixedColor"`
}

type thresholds struct {
	Mode  string `json:"mode"`
	Steps []struct {
		Color string `json:"color"`
		// Value is null for the first step, which Grafana reads as -Infinity.
		Value *float64 `json:"value"`
	} `json:"steps"`
}

type valueMapping struct {
	Type    string          `json:"type"`
	Options json.RawMessage `json:"options"`
}

// override values are untyped: a unit is a string, mappings a list, a color an object.
type override struct {
	Matcher struct {
		ID      string `json:"id"`
		Options any    `json:"options"`
	} `json:"matcher"`
	Properties []struct {
		ID    string `json:"id"`
		Value any    `json:"value"`
	} `json:"properties"`
}

type transformation struct {
	ID      string         `json:"id"`
	Options map[string]any `json:"options"`
}

// load decodes one embedded dashboard strictly.
func load(name string) (*dashboard, error) {
	b, err := fs.ReadFile(FS, name)
	if err != nil {
		return nil, err
	}
	return parse(b)
}

// parse decodes a dashboard strictly and checks that the fields the schema requires are present.
func parse(b []byte) (*dashboard, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d dashboard
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the dashboard object")
	}
	switch {
	case d.SchemaVersion == nil:
		return nil, errors.New("schemaVersion is missing")
	case d.Templating == nil:
		return nil, errors.New("templating is missing")
	case d.Annotations == nil:
		return nil, errors.New("annotations is missing")
	}
	for i, p := range d.Panels {
		switch {
		case p.Type == "":
			return nil, fmt.Errorf("panel %d (%q): type is missing", i, p.Title)
		case p.FieldConfig == nil || p.FieldConfig.Defaults == nil || p.FieldConfig.Overrides == nil:
			return nil, fmt.Errorf("panel %d (%q): fieldConfig.defaults and fieldConfig.overrides are required", i, p.Title)
		case p.GridPos == nil || p.GridPos.H == nil || p.GridPos.W == nil || p.GridPos.X == nil || p.GridPos.Y == nil:
			return nil, fmt.Errorf("panel %d (%q): gridPos needs h, w, x and y", i, p.Title)
		}
	}
	return &d, nil
}
