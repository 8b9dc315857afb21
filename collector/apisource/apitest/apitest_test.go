package apitest

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestClock_SleepAdvancesAndCancelStops(t *testing.T) {
	c := NewClock(t0)
	h := c.Hooks()
	if err := h.Sleep(t.Context(), 90*time.Second); err != nil {
		t.Fatal(err)
	}
	c.Advance(30 * time.Second)
	// 09:00 + 90 s + 30 s = 09:02.
	if want := t0.Add(2 * time.Minute); !c.Now().Equal(want) {
		t.Errorf("Now = %v, want %v", c.Now(), want)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := h.Sleep(ctx, time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a canceled context = %v, want context.Canceled", err)
	}
	if h.Rand() != 0.5 {
		t.Errorf("Rand = %v, want 0.5", h.Rand())
	}
	c.Set(t0)
	if !c.Now().Equal(t0) {
		t.Errorf("after Set, Now = %v, want %v", c.Now(), t0)
	}
}

func TestWriteTokenAndNode(t *testing.T) {
	path := WriteToken(t, t.TempDir(), "token", "s3cret")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "s3cret\n" {
		t.Errorf("token file = %q, want %q", b, "s3cret\n")
	}
	n := Node(t, "url: http://x/\n")
	if len(n.Content) != 1 || n.Content[0].Content[0].Value != "url" {
		t.Errorf("Node did not parse the block: %+v", n)
	}
}
