package report

import (
	"errors"
	"fmt"
)

// InputError is a request the report cannot answer as asked: a period that does not parse, has
// not begun or has no data, a filter naming nothing, an unknown format. The HTTP endpoint
// answers it with 400 and the command exits with status 2; any other error is the server's.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

func inputErrorf(format string, a ...any) error { return &InputError{fmt.Sprintf(format, a...)} }

// IsInputError reports whether err is, or wraps, an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
