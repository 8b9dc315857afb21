package delivery

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWriteFolderAtomic: a file is replaced by a rename, not rewritten in place, so a reader
// that opened the old one reads it whole, and no temporary file stays behind.
func TestWriteFolderAtomic(t *testing.T) {
	dir := t.TempDir()
	old := []Attachment{{Filename: "report.csv", ContentType: "text/csv", Data: []byte("old,report\r\n")}}
	if err := writeFolder(dir, "2026-12", old); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "2026-12", "report.csv")
	reader, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	fresh := []Attachment{{Filename: "report.csv", ContentType: "text/csv", Data: []byte("new,longer,report\r\n")},
		{Filename: "report.pdf", ContentType: "application/pdf", Data: testPDF}}
	if err := writeFolder(dir, "2026-12", fresh); err != nil {
		t.Fatal(err)
	}
	stillOld, _ := io.ReadAll(reader)
	if string(stillOld) != "old,report\r\n" {
		t.Errorf("the open file now reads %q: it was rewritten in place", stillOld)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "2026-12"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, _ := e.Info()
		if info.Mode().Perm() != FileMode {
			t.Errorf("%s: mode %v, want %v", e.Name(), info.Mode().Perm(), os.FileMode(FileMode))
		}
	}
	if diff := cmp.Diff([]string{"report.csv", "report.pdf"}, names); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	for _, a := range fresh {
		if got, _ := os.ReadFile(filepath.Join(dir, "2026-12", a.Filename)); !cmp.Equal(got, a.Data) {
			t.Errorf("%s = %q", a.Filename, got)
		}
	}
}

// TestWriteFolderFailure: a rename that fails leaves the temporary file removed.
func TestWriteFolderFailure(t *testing.T) {
	dir := t.TempDir()
	// A directory where the file should go: the rename over it fails.
	if err := os.MkdirAll(filepath.Join(dir, "2026-12", "report.csv", "x"), 0o750); err != nil {
		t.Fatal(err)
	}
	err := writeFolder(dir, "2026-12", []Attachment{{Filename: "report.csv", Data: []byte("a")}})
	// The temporary file's name is random between its prefix and suffix.
	sub := filepath.Join(dir, "2026-12")
	if err == nil || !strings.HasPrefix(err.Error(), "folder: rename "+sub+"/.report.csv.") ||
		!strings.HasSuffix(err.Error(), ".tmp "+sub+"/report.csv: file exists") {
		t.Fatalf("error = %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "2026-12"))
	if len(entries) != 1 || entries[0].Name() != "report.csv" {
		t.Errorf("left behind: %v", entries)
	}
}
