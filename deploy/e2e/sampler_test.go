package e2e

import (
	"os"
	"sync"
	"testing"
	"time"
)

// sampleLoop is what the uptime samplers share: a round of samples appended every second until
// the test ends, and the first error of any round (the loop's or one the test asked for with
// sample) failing the test then. Writes are serialised by mu, which the samplers also hold while
// they change the state a round writes.
type sampleLoop struct {
	mu    sync.Mutex
	err   error
	write func() error // appends one round; called with mu held
	stop  chan struct{}
	wg    sync.WaitGroup
}

// run starts the loop of write's rounds, stopped when the test ends.
func (l *sampleLoop) run(t *testing.T, write func() error) {
	t.Helper()
	l.write = write
	l.stop = make(chan struct{})
	l.wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-tick.C:
				l.sample()
			}
		}
	})
	t.Cleanup(func() {
		close(l.stop)
		l.wg.Wait()
		if l.err != nil {
			t.Errorf("writing samples: %v", l.err)
		}
	})
}

// sample appends one round now, keeping its error for the test's end.
func (l *sampleLoop) sample() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.write(); err != nil && l.err == nil {
		l.err = err
	}
}

// appendFile appends text to the file at path in a single write, so that an exporter never reads
// half a line.
func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
