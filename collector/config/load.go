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
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

// LoadFile reads and checks a configuration file. Relative paths in it resolve against the
// file's folder.
func LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("could not read configuration: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("could not resolve configuration path: %w", err)
	}
	return Load(data, path, filepath.Dir(abs))
}

// Load checks a configuration held in memory; name is the file name used in errors and dir the
// folder relative paths resolve against.
func Load(data []byte, name, dir string) (*Config, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the configuration is empty", name)
		}
		return nil, positioned(name, cleanYAMLError(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		// A second document would be silently ignored by most readers; refuse it instead.
		return nil, fmt.Errorf("%s:%d: a configuration file holds one YAML document; found another", name, extra.Line)
	}
	var raw rawConfig
	if err := collector.DecodeStrict(&root, &raw); err != nil {
		return nil, positioned(name, cleanYAMLError(err))
	}
	b := builder{file: name, dir: dir, root: &root}
	cfg, err := b.build(&raw)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	cfg.Hash = fmt.Sprintf("%x", sum[:8])
	cfg.File = name
	cfg.root = &root
	return cfg, nil
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
	return e.file + ":" + strconv.Itoa(e.line) + ": " + e.field + ": " + e.err.Error()
}

func (e *fieldError) Unwrap() error { return e.err }
