// Package pdf prints HTML to PDF with a headless Chromium, driven over the DevTools protocol by
// chromedp. The project bundles no browser: it runs the one installed on the machine (Debian's
// chromium package), found on PATH or named by the operator, and says which package to install
// when there is none.
package pdf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/chromedp/chromedp"
)

// Names are the executable names Chromium is installed under: Debian's chromium package, and
// chromium-browser on Ubuntu and older Debian. They are looked for on PATH, then in dirs.
var Names = []string{"chromium", "chromium-browser"}

// dirs are where a browser is looked for when PATH has none: a service's PATH can be minimal.
var dirs = []string{"/usr/bin"}

// NoBrowserError is the error when no browser can be run: none is installed, or the one named
// is not there.
type NoBrowserError struct {
	// Path is the browser named by the operator; empty when one was looked for.
	Path string
	// Err is why the named browser cannot run.
	Err error
}

func (e *NoBrowserError) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("PDF needs a Chromium browser, and %s (--report.chromium-path) cannot be run: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("PDF needs a Chromium browser and none was found (looked for %s on PATH and in %s): "+
		"install Debian's chromium package (apt-get install chromium), or name the browser with --report.chromium-path",
		strings.Join(Names, " and "), strings.Join(dirs, " and "))
}

func (e *NoBrowserError) Unwrap() error { return e.Err }

// IsNoBrowser reports whether err is, or wraps, a NoBrowserError.
func IsNoBrowser(err error) bool {
	var nb *NoBrowserError
	return errors.As(err, &nb)
}

// Find returns the browser to run: path when it is given (a file, or a name looked up on PATH),
// else the first of Names on PATH or in /usr/bin. It checks the file is there and executable,
// not that it is a Chromium.
func Find(path string) (string, error) {
	if path != "" {
		p, err := exec.LookPath(path)
		if err != nil {
			return "", &NoBrowserError{Path: path, Err: err}
		}
		return p, nil
	}
	for _, name := range Names {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	for _, dir := range dirs {
		for _, name := range Names {
			p := filepath.Join(dir, name)
			if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
				return p, nil
			}
		}
	}
	return "", &NoBrowserError{}
}

// AllocatorOptions are the flags a headless Chromium at path is started with: chromedp's
// defaults (headless, no first-run, no background networking, shared memory in the temporary
// folder), and no sandbox when running as root, where Chromium refuses to start with one.
func AllocatorOptions(path string) []chromedp.ExecAllocatorOption {
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]), chromedp.ExecPath(path),
		chromedp.Flag("hide-scrollbars", true), chromedp.Flag("mute-audio", true))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	return opts
}

// NewBrowser starts nothing yet: it returns a chromedp context whose first action starts the
// browser at path, and the func that closes the browser and removes its profile folder.
// Anything logged by chromedp goes to logf (nil discards it).
func NewBrowser(ctx context.Context, path string, logf func(string, ...any)) (context.Context, context.CancelFunc) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, AllocatorOptions(path)...)
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithErrorf(logf), chromedp.WithLogf(logf))
	return bctx, func() {
		cancelBrowser()
		cancelAlloc()
	}
}
