package pdf

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-chromium")
	_, err := Find(missing)
	var nb *NoBrowserError
	if !errors.As(err, &nb) || !IsNoBrowser(err) {
		t.Fatalf("Find(%q) = %v, want a NoBrowserError", missing, err)
	}
	want := "PDF needs a Chromium browser, and " + missing + " (--report.chromium-path) cannot be run: exec: \"" + missing + "\": stat " + missing + ": no such file or directory"
	if err.Error() != want {
		t.Errorf("error\n%s\nwant\n%s", err, want)
	}

	// A named browser that exists is taken as it is.
	fake := filepath.Join(t.TempDir(), "my-chromium")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := Find(fake); err != nil || got != fake {
		t.Errorf("Find(%q) = %q, %v", fake, got, err)
	}

	// Nothing on PATH and nothing in the fallback folder: the error says what to install.
	empty := t.TempDir()
	t.Setenv("PATH", empty)
	saved := dirs
	dirs = []string{empty}
	t.Cleanup(func() { dirs = saved })
	_, err = Find("")
	want = "PDF needs a Chromium browser and none was found (looked for chromium and chromium-browser on PATH and in " + empty +
		"): install Debian's chromium package (apt-get install chromium), or name the browser with --report.chromium-path"
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}

	// The fallback folder is searched when PATH has no browser (a service's PATH can be minimal).
	if err := os.WriteFile(filepath.Join(empty, "chromium-browser"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	if got, err := Find(""); err != nil || got != filepath.Join(empty, "chromium-browser") {
		t.Errorf("Find(\"\") = %q, %v; want the one in the fallback folder", got, err)
	}
}
