//go:build !linux

package slo

import "time"

func threadCPU() time.Duration { return 0 }
