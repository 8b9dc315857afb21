package file

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want Size
		str  string
	}{
		{"1", 1, "1 B"},
		{"74B", 74, "74 B"},
		{"1KiB", 1024, "1 KiB"},
		{"512 MiB", 512 << 20, "512 MiB"},
		{"1GiB", 1 << 30, "1 GiB"},
		{"2TiB", 2 << 40, "2 TiB"},
		{"1kB", 1000, "1000 B"},
		{"2MB", 2_000_000, "2000000 B"},
		{"3GB", 3_000_000_000, "3000000000 B"},
		{"1536KiB", 1536 << 10, "1536 KiB"},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v, want %d", tt.in, got, err, tt.want)
		}
		if got.String() != tt.str {
			t.Errorf("Size(%d).String() = %q, want %q", got, got.String(), tt.str)
		}
	}
	for _, bad := range []string{"", "0", "-1", "1.5GiB", "GiB", "1 parsec", "1gib", "9999999TiB"} {
		if got, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
}

// A file of exactly max_size is read; one byte more is refused (TestSync_fileErrors).
func TestSync_fileAtMaxSize(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "small.csv"), smallCSV) // 74 bytes
	src := newSource(t, dir, `file:
  path: small.csv
  max_size: 74
  columns: {id: id, created: created, status: status}
  statuses: {open: [open], closed: [closed]}
`)
	if b := syncOK(t, src, nil); len(b.Tickets) != 2 {
		t.Errorf("%d tickets, want 2", len(b.Tickets))
	}
	if err := os.WriteFile(filepath.Join(dir, "small.csv"), []byte(smallCSV+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syncErr(t, src, nil); err == nil {
		t.Error("a file of 75 bytes was read under max_size 74")
	}
}
