package collector

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// UnknownFieldError is a configuration key that no field of the target type takes.
type UnknownFieldError struct {
	// Line and Column locate the key in the YAML document.
	Line, Column int
	// Path is the dotted path of the key from the decoded node, e.g. "columns.prioritty" or
	// "targets[2].url".
	Path string
	// Known are the keys accepted at that place, in declaration order.
	Known []string
}

// Error reads "line 12: columns.prioritty: unknown field (known: id, created, ...)".
func (e *UnknownFieldError) Error() string {
	return fmt.Sprintf("line %d: %s: unknown field (known: %s)", e.Line, e.Path, strings.Join(e.Known, ", "))
}

// DecodeStrict decodes node into out, refusing keys that out's type does not know. A nil node
// decodes nothing and leaves out's defaults alone.
//
// yaml.v3 forgets Decoder.KnownFields once decoding goes through a yaml.Node (which is how a
// source kind receives its block), so the node is first walked against out's `yaml` struct tags:
// nested structs, pointers, slices, maps and ",inline" fields are followed. Types with their own
// UnmarshalYAML (prometheus/common's HTTPClientConfig, TLSConfig, Secret, model.Duration ...)
// are checked through their struct tags too, since they decode into the same shape; a struct
// with an unmarshaler but no yaml tags at all is assumed to have a shape of its own and is not
// checked. The first unknown key is returned as an *UnknownFieldError.
func DecodeStrict(node *yaml.Node, out any) error {
	if node == nil {
		return nil
	}
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("decode strict: target must be a non-nil pointer, got %T", out)
	}
	t := rv.Type().Elem()
	if err := checkNode(node, t, ""); err != nil {
		return err
	}
	err := node.Decode(out)
	var te *yaml.TypeError
	if err == nil || errors.As(err, &te) {
		return err // yaml's own errors carry their lines
	}
	// An UnmarshalYAML error ("not a valid duration string") says nothing of where it is: find
	// the value that fails on its own.
	if located := (&walker{}).locate(node, t, ""); located != nil {
		return located
	}
	return err
}

var (
	nodeType            = reflect.TypeFor[yaml.Node]()
	unmarshalerType     = reflect.TypeFor[yaml.Unmarshaler]()
	obsoleteUnmarshaler = reflect.TypeFor[interface{ UnmarshalYAML(func(any) error) error }]()
)

// maxAliases bounds alias expansion during the walk, so a "billion laughs" document is left to
// Decode's own limits instead of being expanded here.
const maxAliases = 1000

// checkNode walks n against t; path names n for error messages.
func checkNode(n *yaml.Node, t reflect.Type, path string) error {
	return (&walker{}).check(n, t, path)
}

// walker carries the alias count across one walk.
type walker struct{ aliases int }

func (w *walker) check(n *yaml.Node, t reflect.Type, path string) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return w.check(n.Content[0], t, path)
	case yaml.AliasNode:
		w.aliases++
		if w.aliases > maxAliases || n.Alias == nil {
			return nil // let Decode report it
		}
		return w.check(n.Alias, t, path)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nodeType {
		return nil // decoded later by whoever asked for the raw node
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode || !checkable(t) {
			return nil
		}
		fs := fieldsOf(t)
		return w.mapping(n, fs, path)
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		for i, item := range n.Content {
			if err := w.check(item, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode || hasUnmarshaler(t) {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := w.check(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	}
	return nil
}

// mapping checks the keys of a mapping node against a struct's fields.
func (w *walker) mapping(n *yaml.Node, fs *fields, path string) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			if err := w.merge(v, fs, path); err != nil {
				return err
			}
			continue
		}
		f, ok := fs.byKey[k.Value]
		switch {
		case ok:
			if err := w.check(v, f, join(path, k.Value)); err != nil {
				return err
			}
		case fs.inlineMap != nil:
			if err := w.check(v, fs.inlineMap, join(path, k.Value)); err != nil {
				return err
			}
		default:
			return &UnknownFieldError{Line: k.Line, Column: k.Column, Path: join(path, k.Value), Known: fs.keys}
		}
	}
	return nil
}

// merge checks the mappings a "<<" key pulls in as if they were written in place.
func (w *walker) merge(v *yaml.Node, fs *fields, path string) error {
	switch v.Kind {
	case yaml.AliasNode:
		w.aliases++
		if w.aliases > maxAliases || v.Alias == nil {
			return nil
		}
		return w.merge(v.Alias, fs, path)
	case yaml.MappingNode:
		return w.mapping(v, fs, path)
	case yaml.SequenceNode:
		for _, m := range v.Content {
			if err := w.merge(m, fs, path); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// fields is the set of keys a struct accepts, inlined structs flattened as yaml.v3 does.
type fields struct {
	keys      []string
	byKey     map[string]reflect.Type
	inlineMap reflect.Type // value type of an ",inline" map: any other key goes there
}

func fieldsOf(t reflect.Type) *fields {
	fs := &fields{byKey: map[string]reflect.Type{}}
	fs.add(t)
	return fs
}

func (fs *fields) add(t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.PkgPath != "" && !f.Anonymous {
			continue // unexported: yaml.v3 ignores it too
		}
		tag := f.Tag.Get("yaml")
		if tag == "" && !strings.Contains(string(f.Tag), ":") {
			tag = string(f.Tag) // yaml.v3 accepts a bare tag as the key
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if hasOpt(opts, "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch ft.Kind() {
			case reflect.Map:
				fs.inlineMap = ft.Elem()
			case reflect.Struct:
				fs.add(ft)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if _, dup := fs.byKey[name]; !dup {
			fs.keys = append(fs.keys, name)
		}
		fs.byKey[name] = f.Type
	}
}

func hasOpt(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func hasUnmarshaler(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(unmarshalerType) || p.Implements(unmarshalerType) ||
		t.Implements(obsoleteUnmarshaler) || p.Implements(obsoleteUnmarshaler)
}

// checkable says whether a struct's fields describe its YAML mapping. Plain structs do; a struct
// with its own unmarshaler does when it declares yaml tags (prometheus/common's types decode
// into "type plain T"), and is taken to have a shape of its own otherwise.
func checkable(t reflect.Type) bool {
	if !hasUnmarshaler(t) {
		return true
	}
	for i := range t.NumField() {
		if _, ok := t.Field(i).Tag.Lookup("yaml"); ok {
			return true
		}
	}
	return false
}

// locate decodes, deepest first, every value whose type has its own unmarshaler, and returns the
// first failure with its line and path.
func (w *walker) locate(n *yaml.Node, t reflect.Type, path string) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return w.locate(n.Content[0], t, path)
	case yaml.AliasNode:
		w.aliases++
		if w.aliases > maxAliases || n.Alias == nil {
			return nil
		}
		return w.locate(n.Alias, t, path)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nodeType {
		return nil
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fs := fieldsOf(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fs.byKey[k.Value]
			if !ok {
				ft = fs.inlineMap
			}
			if ft == nil {
				continue
			}
			if err := w.locate(v, ft, join(path, k.Value)); err != nil {
				return err
			}
		}
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			if err := w.locate(item, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := w.locate(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	}
	if hasUnmarshaler(t) {
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			if path == "" {
				return fmt.Errorf("line %d: %w", n.Line, err)
			}
			return fmt.Errorf("line %d: %s: %w", n.Line, path, err)
		}
	}
	return nil
}
