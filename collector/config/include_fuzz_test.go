package config

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// mapFiles is a fileSystem held in memory: absolute paths are the map's keys with a leading /.
type mapFiles fstest.MapFS

func (m mapFiles) ReadFile(name string) ([]byte, error) {
	return fs.ReadFile(fstest.MapFS(m), strings.TrimPrefix(name, "/"))
}

func (m mapFiles) Stat(name string) (fs.FileInfo, error) {
	return fs.Stat(fstest.MapFS(m), strings.TrimPrefix(name, "/"))
}

func (m mapFiles) Glob(pattern string) ([]string, error) {
	matches, err := fs.Glob(fstest.MapFS(m), strings.TrimPrefix(pattern, "/"))
	for i := range matches {
		matches[i] = "/" + matches[i]
	}
	return matches, err
}

// FuzzLoadIncludes loads a main file and two team files of any content. Whatever they hold, the
// loader does not panic, every error names the file it is about, and a configuration that loads
// has unique names and positions in its own files.
func FuzzLoadIncludes(f *testing.F) {
	f.Add([]byte(mainFile), []byte(shopFile), []byte("services: [{name: shop}]\n"))
	f.Add([]byte(mainFile), []byte(strings.Replace(shopFile, "shop-resp", "resp", 1)), []byte(""))
	f.Add([]byte(mainFile), []byte("include: [../sla.yml]\n"), []byte("global: {}\n"))
	f.Add([]byte("include: [{path: teams/*.yml, optional: true}, conf.d/b.yml]\n"), []byte("include: b.yml\n"), []byte("include: [../conf.d/*.yml]\n"))
	f.Add([]byte("include: conf.d/*.yml\nsources: [{name: d, type: demo}]\n"), []byte("objectives:\n  - &o {name: x, service: s, kind: ticket, source: d, clock: response, targets: {P1: 1h}, target: 0.9}\n"), []byte("objectives: [*o]\n"))
	f.Fuzz(func(t *testing.T, main, a, b []byte) {
		files := mapFiles{
			"cfg/sla.yml":      {Data: main},
			"cfg/conf.d/a.yml": {Data: a},
			"cfg/conf.d/b.yml": {Data: b},
		}
		cfg, err := loadPath(files, "/cfg/sla.yml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "/cfg/") {
				t.Errorf("the error names no file: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for i, o := range cfg.Objectives {
			if seen[o.Name] {
				t.Errorf("objective %q twice", o.Name)
			}
			seen[o.Name] = true
			file, line, _ := cfg.Where("objectives", i)
			if _, ok := files[strings.TrimPrefix(file, "/")]; !ok || line <= 0 {
				t.Errorf("objective %q at %s:%d, not in a file of the configuration", o.Name, file, line)
			}
		}
	})
}
