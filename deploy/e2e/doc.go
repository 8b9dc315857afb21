// Package e2e holds the tests of the deployment bundles under deploy/: static checks of the
// Prometheus, Alertmanager, Kubernetes, systemd and Docker files, and end-to-end runs of the
// exporter with Debian's Prometheus and Alertmanager on loopback (an alert loop from samples to a
// webhook, and every dashboard query against live data), and the uptime script: the live uptime
// sources against blackbox_exporter and Prometheus through a scripted outage and gap
// (TestUptimeEndToEnd, run by `make test-uptime`).
//
// The tests need prometheus, promtool, prometheus-alertmanager (or alertmanager), amtool and
// prometheus-blackbox-exporter (or blackbox_exporter) on PATH or in /usr/bin;
// deploy/ci/install-tools.sh installs them. Without them a test is skipped
// with a loud log line, unless the CI environment variable is set: then it fails.
//
// The package has no code of its own; everything is in its tests.
package e2e
