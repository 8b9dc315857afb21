package delivery

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// FileMode is the mode of the files written to a folder: readable by the group, so that the
// folder can be shared with the people who read the reports, and by no one else.
const FileMode = 0o640

// writeFolder writes the report's files under dir/label/, each atomically: a reader of the
// folder sees the previous file or the whole new one, never a part.
func writeFolder(dir, label string, atts []Attachment) error {
	sub := filepath.Join(dir, label)
	if err := os.MkdirAll(sub, 0o750); err != nil {
		return fmt.Errorf("folder: %w", err)
	}
	for _, a := range atts {
		if err := writeAtomic(filepath.Join(sub, a.Filename), a.Data); err != nil {
			return fmt.Errorf("folder: %w", err)
		}
	}
	return syncDir(sub)
}

// writeAtomic writes data to a temporary file beside path, flushes it to disk and renames it
// over path.
func writeAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(FileMode); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// syncDir flushes a directory, so that the renames survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("folder: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("folder: sync %s: %w", dir, err)
	}
	return nil
}
