// Package events holds event-ratio data, good and total event counts per time bucket, and sums
// them over windows in logarithmic time.
//
// A bucket belongs to a window when its Start does: the data of a bucket is never split, so a
// window edge inside a bucket takes all or nothing of it. Windows aligned on bucket starts avoid
// the question.
package events
