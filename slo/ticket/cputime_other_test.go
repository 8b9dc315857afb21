//go:build !linux

package ticket

import "time"

func threadCPU() time.Duration { return 0 }
