package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

// A configuration may be split into files: include: names files and globs, each decoded strictly
// on its own (its errors name it and its lines), whose lists are appended to those of the file
// including them. Only the lists below may be written in an included file; everything else
// (global, and any section added later) belongs to the main file, so that no setting can be
// overridden from a file nobody thinks of reading.

// includeList is include: a list of entries, or one entry alone.
type includeList []rawInclude

// UnmarshalYAML takes a sequence as the list and anything else as its one entry.
func (l *includeList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		return n.Decode((*[]rawInclude)(l))
	}
	var one rawInclude
	if err := n.Decode(&one); err != nil {
		return err
	}
	*l = includeList{one}
	return nil
}

// rawInclude is an entry of include: a path or glob, or {path: ..., optional: true}.
type rawInclude struct {
	Path string `yaml:"path"`
	// Optional lets a glob match nothing (or a plain path not exist) without an error.
	Optional bool `yaml:"optional"`
	line     int
}

// UnmarshalYAML takes a scalar as a path and a mapping as {path, optional}; the mapping's keys
// are checked strictly by DecodeStrict like any other.
func (r *rawInclude) UnmarshalYAML(n *yaml.Node) error {
	r.line = n.Line
	switch n.Kind {
	case yaml.ScalarNode:
		r.Path = n.Value
		return nil
	case yaml.MappingNode:
		type plain rawInclude
		if err := collector.DecodeStrict(n, (*plain)(r)); err != nil {
			return err
		}
		return nil
	}
	return fmt.Errorf("line %d: an include is a path or glob (conf.d/*.yml), or {path: conf.d/*.yml, optional: true}", n.Line)
}

// includedSections are the top-level keys an included file may hold: lists that are appended to
// the including file's.
var includedSections = []string{"include", "calendars", "sources", "services", "objectives", "kpis", "contracts", "reports", "staffing"}

// topLevelKeys are the keys of a main file, from rawConfig's tags.
var topLevelKeys = sync.OnceValue(func() []string {
	var keys []string
	t := reflect.TypeFor[rawConfig]()
	for i := range t.NumField() {
		if k, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); k != "" && k != "-" {
			keys = append(keys, k)
		}
	}
	return keys
})

// appendLists appends src's lists to dst's and returns how many items of each section came from
// src. Every list of includedSections is here.
func appendLists(dst, src *rawConfig) map[string]int {
	return map[string]int{
		"calendars":  appendItems(&dst.Calendars, src.Calendars),
		"sources":    appendItems(&dst.Sources, src.Sources),
		"services":   appendItems(&dst.Services, src.Services),
		"objectives": appendItems(&dst.Objectives, src.Objectives),
		"kpis":       appendItems(&dst.KPIs, src.KPIs),
		"contracts":  appendItems(&dst.Contracts, src.Contracts),
		"reports":    appendItems(&dst.Reports, src.Reports),
		"staffing":   appendItems(&dst.Staffing, src.Staffing),
	}
}

func appendItems[T any](dst *[]T, src []T) int {
	*dst = append(*dst, src...)
	return len(src)
}

// configFile is one file of a configuration.
type configFile struct {
	// name is the file as errors name it: the main file as given, an included one joined to the
	// folder of the file including it, so that it opens from where the command ran.
	name string
	// abs is its cleaned absolute path, which tells two includes of one file apart from two files.
	abs string
	// dir is the absolute folder its relative paths resolve against; base the same folder as
	// names are written (name's folder).
	dir, base string
	data      []byte
	root      *yaml.Node // nil for an empty included file
	raw       rawConfig
	// mainKeys are its top-level keys an included file may not hold (global), for the error.
	mainKeys []*yaml.Node
}

// origin is where an item of a merged list was written: the file and its index there.
type origin struct{ file, index int }

// placement maps the merged configuration back to the files it was written in, so that errors
// and Config.Line point at the file and line to fix.
type placement struct {
	files []*configFile
	// main is the file global and the other main-file settings come from.
	main *configFile
	// items is, per list section, where each merged item came from.
	items map[string][]origin
}

// local returns the file holding the setting at path of the merged configuration and the path
// within that file ("objectives", 7, "target" may be "objectives", 0, "target" of a team's file).
func (p *placement) local(path []any) (*configFile, []any) {
	if len(path) >= 2 {
		if section, ok := path[0].(string); ok {
			if i, ok := path[1].(int); ok && i >= 0 && i < len(p.items[section]) {
				o := p.items[section][i]
				return p.files[o.file], append([]any{section, o.index}, path[2:]...)
			}
		}
	}
	return p.main, path
}

// where returns the file, line and field (as that file writes it) of the setting at path.
func (p *placement) where(path []any) (file string, line int, field string) {
	f, local := p.local(path)
	return f.name, collector.LineOf(f.root, local...), fieldPath(local...)
}

// fileSystem is what configurations are read through: the disk, or a map in tests and fuzzing.
// Paths are absolute.
type fileSystem interface {
	ReadFile(name string) ([]byte, error)
	Stat(name string) (fs.FileInfo, error)
	Glob(pattern string) ([]string, error)
}

// disk is the fileSystem of the operating system.
type disk struct{}

func (disk) ReadFile(name string) ([]byte, error)  { return os.ReadFile(name) }
func (disk) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }
func (disk) Glob(pattern string) ([]string, error) { return filepath.Glob(pattern) }

// loader reads a file and, depth first, the files it includes.
type loader struct {
	fsys  fileSystem
	files []*configFile
	// by is, per absolute path loaded, the include that loaded it ("sla.yml:4: include[0]").
	by map[string]string
	// stack holds the files being loaded, outermost first, to refuse cycles.
	stack []*configFile
}

// load parses f (its data already read) and then the files it includes, in order; a glob's
// matches in name order. included says f was included, and so may be empty and may hold list
// sections only; mayHoldMain lifts the second rule for the files of a configuration folder.
func (l *loader) load(f *configFile, included, mayHoldMain bool) error {
	if err := f.parse(included, mayHoldMain); err != nil {
		return err
	}
	l.files = append(l.files, f)
	l.stack = append(l.stack, f)
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()
	for i, inc := range f.raw.Include {
		at := fmt.Sprintf("%s:%d: include[%d]", f.name, inc.line, i)
		paths, err := l.expand(f, inc)
		if err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		for _, abs := range paths {
			name := abs
			if !filepath.IsAbs(inc.Path) {
				rel, err := filepath.Rel(f.dir, abs)
				if err != nil {
					return fmt.Errorf("%s: %w", at, err)
				}
				name = filepath.Join(f.base, rel)
			}
			if i := slices.IndexFunc(l.stack, func(s *configFile) bool { return s.abs == abs }); i >= 0 {
				var chain []string
				for _, s := range l.stack[i:] {
					chain = append(chain, s.name)
				}
				return fmt.Errorf("%s: %s includes itself (%s → %s): includes may not form a cycle", at, name, strings.Join(chain, " → "), name)
			}
			if by, ok := l.by[abs]; ok {
				return fmt.Errorf("%s: %s is included already, by %s: a file is included once", at, name, by)
			}
			l.by[abs] = at
			data, err := l.fsys.ReadFile(abs)
			if err != nil {
				return fmt.Errorf("%s: could not read %s: %w", at, name, unwrapPath(err))
			}
			if err := l.load(&configFile{name: name, abs: abs, dir: filepath.Dir(abs), base: filepath.Dir(name), data: data}, true, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// unwrapPath drops the path a *fs.PathError repeats: the message names the file already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// expand returns the absolute paths an include names: the file of a plain path, or a glob's
// matches in name order, leaving out folders and, unless the pattern's last element starts with
// a dot itself, hidden files (editors' lock and swap files, a Kubernetes volume's ..data).
func (l *loader) expand(f *configFile, inc rawInclude) ([]string, error) {
	if strings.TrimSpace(inc.Path) == "" {
		return nil, errors.New("path is required: a file or a glob such as conf.d/*.yml")
	}
	pattern := inc.Path
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(f.dir, pattern)
	}
	pattern = filepath.Clean(pattern)
	if !hasMeta(inc.Path) {
		info, err := l.fsys.Stat(pattern)
		switch {
		case errors.Is(err, fs.ErrNotExist) && inc.Optional:
			return nil, nil
		case err != nil:
			return nil, fmt.Errorf("%s: %w", inc.Path, unwrapPath(err))
		case info.IsDir():
			return nil, fmt.Errorf("%s is a folder: include its files with a glob such as %s", inc.Path, filepath.Join(inc.Path, "*.yml"))
		}
		return []string{pattern}, nil
	}
	matches, err := l.fsys.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", inc.Path, err)
	}
	hidden := strings.HasPrefix(filepath.Base(pattern), ".")
	var out []string
	for _, m := range matches {
		if !hidden && strings.HasPrefix(filepath.Base(m), ".") {
			continue
		}
		if info, err := l.fsys.Stat(m); err != nil || info.IsDir() {
			continue // a folder, or a link to nothing: not a file to read
		}
		out = append(out, m)
	}
	if len(out) == 0 && !inc.Optional {
		return nil, fmt.Errorf("%s matches no file (write {path: %s, optional: true} if none is fine)", inc.Path, inc.Path)
	}
	return out, nil
}

// hasMeta says whether a path is a glob.
func hasMeta(path string) bool { return strings.ContainsAny(path, `*?[\`) }

// parse decodes the file strictly. An included file may be empty (a team's file with everything
// commented out) and may hold list sections only.
func (f *configFile) parse(included, mayHoldMain bool) error {
	root, err := decodeDocument(f.data, f.name)
	if err != nil {
		if errors.Is(err, errEmpty) && included {
			return nil
		}
		return err
	}
	f.root = root
	if len(root.Content) > 0 && root.Content[0].Kind == yaml.MappingNode {
		top := root.Content[0]
		for i := 0; i+1 < len(top.Content); i += 2 {
			// An unknown key is left to the strict decoding, which lists the known ones.
			if k := top.Content[i]; !slices.Contains(includedSections, k.Value) && slices.Contains(topLevelKeys(), k.Value) {
				f.mainKeys = append(f.mainKeys, k)
			}
		}
	}
	if included && !mayHoldMain && len(f.mainKeys) > 0 {
		k := f.mainKeys[0]
		return fmt.Errorf("%s:%d: %s: only the main configuration file holds %s; an included file holds %s",
			f.name, k.Line, k.Value, k.Value, strings.Join(includedSections, ", "))
	}
	if err := collector.DecodeStrict(root, &f.raw); err != nil {
		return positioned(f.name, cleanYAMLError(err))
	}
	return nil
}

// errEmpty is a file without a YAML document.
var errEmpty = errors.New("the configuration is empty")

// merge appends the lists of every file, in the order they were loaded, to main's settings.
func merge(files []*configFile, main *configFile) (*rawConfig, *placement) {
	var raw rawConfig
	if main.root != nil {
		raw = main.raw
	}
	raw.Include = nil
	raw.Calendars, raw.Sources, raw.Services, raw.Objectives, raw.KPIs, raw.Contracts, raw.Reports = nil, nil, nil, nil, nil, nil, nil
	raw.Staffing = nil
	p := &placement{files: files, main: main, items: map[string][]origin{}}
	for fi, f := range files {
		for section, n := range appendLists(&raw, &f.raw) {
			for i := range n {
				p.items[section] = append(p.items[section], origin{file: fi, index: i})
			}
		}
	}
	return &raw, p
}
