// Package config loads sla_exporter's configuration file: global settings, calendars, sources,
// services, objectives, KPIs and contracts. Decoding is strict (an unknown key is an error),
// defaults and validation live here and nowhere else, and every error names the file, the line
// and the field.
package config

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadFile reads and checks a configuration: a file, with the files it includes, or a folder
// whose *.yml and *.yaml files together are the configuration (see loadFolder). Relative paths
// in a file resolve against that file's folder.
func LoadFile(path string) (*Config, error) {
	return loadPath(disk{}, path)
}

func loadPath(fsys fileSystem, path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("could not resolve configuration path: %w", err)
	}
	info, err := fsys.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("could not read configuration: %w", err)
	}
	if info.IsDir() {
		return loadFolder(fsys, path, abs)
	}
	data, err := fsys.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("could not read configuration: %w", err)
	}
	return load(fsys, data, path, abs, filepath.Dir(abs))
}

// Load checks a configuration held in memory; name is the file name used in errors and dir the
// folder relative paths resolve against, the files it includes among them.
func Load(data []byte, name, dir string) (*Config, error) {
	return load(disk{}, data, name, filepath.Join(dir, filepath.Base(name)), dir)
}

func load(fsys fileSystem, data []byte, name, abs, dir string) (*Config, error) {
	main := &configFile{name: name, abs: filepath.Clean(abs), dir: dir, base: filepath.Dir(name), data: data}
	l := &loader{fsys: fsys, by: map[string]string{main.abs: name}}
	if err := l.load(main, false, true); err != nil {
		return nil, err
	}
	return build(l.files, main)
}

// loadFolder loads a folder as one configuration: its *.yml and *.yaml files in name order,
// as if an empty main file included them. One of them may hold global (and the other settings
// of a main file); each may include others as a main file does.
func loadFolder(fsys fileSystem, name, abs string) (*Config, error) {
	folder := &configFile{name: name, abs: abs, dir: abs, base: name}
	l := &loader{fsys: fsys, by: map[string]string{}}
	var paths []string
	for _, glob := range []string{"*.yml", "*.yaml"} {
		matched, err := l.expand(folder, rawInclude{Path: glob, Optional: true})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		paths = append(paths, matched...)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s: a configuration folder holds *.yml or *.yaml files; this one holds none", name)
	}
	slices.Sort(paths)
	var top []*configFile
	for _, p := range paths {
		if by, ok := l.by[p]; ok {
			return nil, fmt.Errorf("%s: included by %s, and in the configuration folder too: a file is read once", filepath.Join(name, filepath.Base(p)), by)
		}
		l.by[p] = name + " (the configuration folder)"
		data, err := fsys.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("could not read configuration: %w", err)
		}
		f := &configFile{name: filepath.Join(name, filepath.Base(p)), abs: p, dir: abs, base: name, data: data}
		if err := l.load(f, true, true); err != nil {
			return nil, err
		}
		top = append(top, f)
	}
	main := folder
	for _, f := range top {
		if len(f.mainKeys) == 0 {
			continue
		}
		if main != folder {
			k, first := f.mainKeys[0], main.mainKeys[0]
			return nil, fmt.Errorf("%s:%d: %s: %s:%d holds %s already: in a configuration folder one file holds the main settings, the others %s",
				f.name, k.Line, k.Value, main.name, first.Line, first.Value, strings.Join(includedSections[1:], ", "))
		}
		main = f
	}
	return build(l.files, main)
}

// build merges the files' lists and checks the whole. The hash covers every file's name and
// content, so that a reload sees a file added to a glob, changed or removed.
func build(files []*configFile, main *configFile) (*Config, error) {
	raw, place := merge(files, main)
	b := builder{place: place}
	cfg, err := b.build(raw)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%d\x00", f.name, len(f.data))
		h.Write(f.data)
		cfg.Files = append(cfg.Files, f.name)
	}
	cfg.Hash = fmt.Sprintf("%x", h.Sum(nil)[:8])
	cfg.File = main.name
	cfg.place = place
	return cfg, nil
}

// decodeDocument parses a file holding one YAML document; errEmpty when it holds none.
func decodeDocument(data []byte, name string) (*yaml.Node, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %w", name, errEmpty)
		}
		return nil, positioned(name, cleanYAMLError(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		// A second document would be silently ignored by most readers; refuse it instead.
		return nil, fmt.Errorf("%s:%d: a configuration file holds one YAML document; found another", name, extra.Line)
	}
	return &root, nil
}

// cleanYAMLError rewrites yaml.v3's wording so that it speaks of fields rather than of the Go types
// behind them ("field x not found in type config.rawObjective").
func cleanYAMLError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	for _, t := range []string{"config.rawConfig", "config.rawGlobal", "config.rawReportContents", "config.rawReport", "config.rawCalendar", "config.rawService",
		"config.rawObjective", "config.rawAvailability", "config.rawWindow", "config.rawRecurringWind",
		"config.rawKPI", "config.rawContract", "config.rawTier"} {
		msg = strings.ReplaceAll(msg, " in type "+t, " in "+strings.TrimPrefix(strings.TrimPrefix(t, "config.raw"), "config."))
	}
	return errors.New(msg)
}

// lineRef matches the "line N: " yaml.v3 and DecodeStrict put before a message.
var lineRef = regexp.MustCompile(`^(.*?)line (\d+): (.*)$`)

// anyLineRef matches every "line N: " in a message wrapped by several decoders.
var anyLineRef = regexp.MustCompile(`line (\d+): `)

// positioned turns every "line N: message" of err into "file:N: message", the form editors and
// CI logs link to the line.
func positioned(file string, err error) error {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if refs := anyLineRef.FindAllStringSubmatch(l, -1); refs != nil {
			// The innermost (last) position is the most precise.
			lines[i] = file + ":" + refs[len(refs)-1][1] + ": " + anyLineRef.ReplaceAllString(l, "")
		} else {
			lines[i] = file + ": " + l
		}
	}
	return errors.New(strings.Join(lines, "\n"))
}

// fieldError is a configuration error at a position.
type fieldError struct {
	file  string
	line  int
	field string
	err   error
}

func (e *fieldError) Error() string {
	if e.line == 0 {
		return e.file + ": " + e.field + ": " + e.err.Error()
	}
	return e.file + ":" + strconv.Itoa(e.line) + ": " + e.field + ": " + e.err.Error()
}

func (e *fieldError) Unwrap() error { return e.err }
