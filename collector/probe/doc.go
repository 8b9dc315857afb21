// Package probe is the `probe` source kind: HTTP(S), TCP, DNS and ICMP probes the exporter runs
// itself, each target on its own interval and timeout, each probe a sample of the target's
// series (up when it succeeded, down when it failed, missing when it could not run). Its
// Scheduler and Source are also the machinery of the blackbox kind, whose prober asks a
// blackbox_exporter instead.
//
// Results live in memory until the next sync takes them; the runner commits them to the store,
// so that history survives restarts. The checkpoint keeps when each target was last probed: the
// first sync after a restart marks the slot after it as missing, so that the last sample before
// the restart does not hold over the time the exporter was stopped.
package probe
