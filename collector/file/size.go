package file

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// defaultMaxSize is max_size when unset: an export larger than this is refused, not read. A
// variable for the tests.
var defaultMaxSize Size = 1 << 30

// Size is a number of bytes, written as a whole number with an optional unit: B, KiB, MiB, GiB,
// TiB (powers of 1024) or kB, MB, GB, TB (powers of 1000), as in "512MiB" or "2GB".
type Size int64

var sizeUnits = []struct {
	name string
	n    int64
}{
	{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}, {"B", 1},
}

// ParseSize reads a Size.
func ParseSize(s string) (Size, error) {
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range sizeUnits {
		if v, ok := strings.CutSuffix(num, u.name); ok {
			num, mult = strings.TrimSpace(v), u.n
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size: want a positive whole number of bytes, with an optional unit (B, KiB, MiB, GiB, TiB, kB, MB, GB, TB) such as 512MiB", s)
	}
	if n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is too large a size", s)
	}
	return Size(n * mult), nil
}

// UnmarshalYAML takes a number of bytes or a string with a unit.
func (z *Size) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: cannot unmarshal %s into a size", n.Line, n.ShortTag())}}
	}
	v, err := ParseSize(n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	*z = v
	return nil
}

// String writes the size in the largest power-of-1024 unit that divides it.
func (z Size) String() string {
	for _, u := range sizeUnits[:4] {
		if int64(z) >= u.n && int64(z)%u.n == 0 {
			return strconv.FormatInt(int64(z)/u.n, 10) + " " + u.name
		}
	}
	return strconv.FormatInt(int64(z), 10) + " B"
}
