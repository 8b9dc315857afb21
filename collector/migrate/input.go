package migrate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Input is one spec file.
type Input struct {
	// Name is the file's path as reported (file:line).
	Name string
	Data []byte
}

// Options are the settings of an import.
type Options struct {
	// PrometheusURL is the url of the prometheus source the SLIs are read from.
	PrometheusURL string
	// SlothPeriod is Sloth's SLO period (its --default-slo-period), in days; 30 when 0.
	SlothPeriod int
}

// Result is an imported configuration and its report.
type Result struct {
	Config *Config
	Report *Report
	// Tools are the tools whose specs were imported, in the order they were.
	Tools []string
}

// ReadPaths reads the files named, and the .yml, .yaml and .json files under the folders named,
// in lexical order.
func ReadPaths(paths []string) ([]Input, error) {
	var out []Input
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			out = append(out, Input{Name: p, Data: data})
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yml", ".yaml", ".json":
				if !d.IsDir() {
					files = append(files, path)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(files)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, Input{Name: f, Data: data})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no spec files found")
	}
	return out, nil
}

// documents decodes every YAML document of a file (JSON is YAML too); empty documents are
// skipped.
func documents(in Input) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(in.Data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %s", in.Name, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if len(n.Content) == 0 || (n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null") {
			continue
		}
		docs = append(docs, n.Content[0])
	}
}

// fields reads a mapping of a spec, remembering which keys were read, so that every key left
// unread is reported as having no equivalent.
type fields struct {
	file string
	node *yaml.Node
	// path is where the mapping is in the spec ("slos[0].sli"), for the report.
	path string
	used map[string]bool
	errs *[]error
	// line0 is the line reported for an absent mapping: that of its parent.
	line0 int
}

func newFields(file string, n *yaml.Node, path string, errs *[]error) *fields {
	f := &fields{file: file, node: n, path: path, used: map[string]bool{}, errs: errs}
	if n != nil && n.Kind != yaml.MappingNode {
		f.fail(n, "want a mapping")
		f.node = nil
	}
	return f
}

func (f *fields) fail(n *yaml.Node, msg string) {
	line := f.line0
	if n != nil {
		line = n.Line
	}
	at := f.path
	if at == "" {
		at = "document"
	}
	*f.errs = append(*f.errs, fmt.Errorf("%s:%d: %s: %s", f.file, line, at, msg))
}

// at returns the path of a key of the mapping.
func (f *fields) at(key string) string {
	if f.path == "" {
		return key
	}
	return f.path + "." + key
}

// line is the line of the mapping, or of key when present.
func (f *fields) line(key string) int {
	if f.node == nil {
		return f.line0
	}
	for i := 0; i+1 < len(f.node.Content); i += 2 {
		if f.node.Content[i].Value == key {
			return f.node.Content[i].Line
		}
	}
	return f.node.Line
}

// get returns the value of key, nil when absent, and marks it read.
func (f *fields) get(key string) *yaml.Node {
	if f.node == nil {
		return nil
	}
	for i := 0; i+1 < len(f.node.Content); i += 2 {
		if f.node.Content[i].Value == key {
			f.used[key] = true
			v := f.node.Content[i+1]
			if v.Kind == yaml.AliasNode && v.Alias != nil {
				v = v.Alias
			}
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				return nil
			}
			return v
		}
	}
	return nil
}

// str returns the text of a scalar key, "" when absent.
func (f *fields) str(key string) string {
	v := f.get(key)
	if v == nil {
		return ""
	}
	if v.Kind != yaml.ScalarNode {
		f.fail(v, key+": want a text")
		return ""
	}
	return v.Value
}

// float returns a number key; ok is false when absent or not a number (then reported).
func (f *fields) float(key string) (float64, bool) {
	v := f.get(key)
	if v == nil {
		return 0, false
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(v.Value), 64)
	if v.Kind != yaml.ScalarNode || err != nil {
		f.fail(v, key+": want a number")
		return 0, false
	}
	return x, true
}

// boolean returns a true/false key, false when absent.
func (f *fields) boolean(key string) bool {
	v := f.get(key)
	if v == nil {
		return false
	}
	var b bool
	if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
		f.fail(v, key+": want true or false")
	}
	return b
}

// strMap returns a mapping of texts, nil when absent.
func (f *fields) strMap(key string) map[string]string {
	v := f.get(key)
	if v == nil {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		f.fail(v, key+": want a mapping")
		return nil
	}
	m := map[string]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		val := v.Content[i+1]
		if val.Kind != yaml.ScalarNode {
			f.fail(val, key+"."+v.Content[i].Value+": want a text")
			continue
		}
		m[v.Content[i].Value] = val.Value
	}
	return m
}

// sub returns the mapping under key (empty when absent).
func (f *fields) sub(key string) *fields {
	s := newFields(f.file, f.get(key), f.at(key), f.errs)
	s.line0 = f.line(key)
	return s
}

// list returns the items of a sequence key.
func (f *fields) list(key string) []*yaml.Node {
	v := f.get(key)
	if v == nil {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		f.fail(v, key+": want a list")
		return nil
	}
	return v.Content
}

// has says whether key is present.
func (f *fields) has(key string) bool {
	if f.node == nil {
		return false
	}
	for i := 0; i+1 < len(f.node.Content); i += 2 {
		if f.node.Content[i].Value == key {
			return true
		}
	}
	return false
}

// rest reports every key not read as having no equivalent.
func (f *fields) rest(r *Report, tool string) {
	if f.node == nil {
		return
	}
	for i := 0; i+1 < len(f.node.Content); i += 2 {
		k := f.node.Content[i]
		if !f.used[k.Value] {
			r.add(f.file, k.Line, None, f.at(k.Value), "not a field sla_exporter knows of "+tool+"'s spec; ignored")
		}
	}
}

// ignore marks keys as read without mapping them (for those the importer reports itself).
func (f *fields) ignore(keys ...string) {
	for _, k := range keys {
		f.used[k] = true
	}
}
