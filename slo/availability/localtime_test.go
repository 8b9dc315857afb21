package availability

import (
	"os"
	"strings"
	"testing"
)

// TestLocalTimeCopy fails when localtime.go drifts from its original in slo/period.
func TestLocalTimeCopy(t *testing.T) {
	body := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		_, rest, ok := strings.Cut(string(b), "\n// date is a civil date")
		if !ok {
			t.Fatalf("%s: no date type", path)
		}
		return rest
	}
	if body("localtime.go") != body("../period/localtime.go") {
		t.Error("localtime.go differs from ../period/localtime.go; copy the change over")
	}
}
