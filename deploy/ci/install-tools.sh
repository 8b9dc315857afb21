#!/usr/bin/env bash
# Installs the Prometheus and Alertmanager tools the deploy/e2e tests run, and the servers the
# prometheus and blackbox sources are tested against (Debian/Ubuntu):
#   /usr/bin/prometheus, /usr/bin/promtool, /usr/bin/prometheus-alertmanager, /usr/bin/amtool,
#   /usr/bin/victoria-metrics, /usr/bin/prometheus-blackbox-exporter
# Idempotent: does nothing when promtool, amtool, victoria-metrics and
# prometheus-blackbox-exporter are already there. Run as root, or as a user
# with passwordless sudo (CI runners). The e2e tests fail, rather than skip, on a machine where
# CI is set and these tools are missing.
set -euo pipefail

if [[ -x /usr/bin/promtool && -x /usr/bin/amtool && -x /usr/bin/victoria-metrics && -x /usr/bin/prometheus-blackbox-exporter ]]; then
	echo "install-tools: promtool, amtool, victoria-metrics and prometheus-blackbox-exporter are already installed"
	exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	if ! command -v sudo >/dev/null; then
		echo "install-tools: not root and no sudo: install prometheus, prometheus-alertmanager and victoria-metrics by hand" >&2
		exit 1
	fi
	sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
apt_get=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
"${apt_get[@]}" update
"${apt_get[@]}" install -y --no-install-recommends prometheus prometheus-alertmanager victoria-metrics prometheus-blackbox-exporter

# The packages' postinst scripts enable and, on a machine booted with systemd, start the
# prometheus, prometheus-alertmanager, victoria-metrics and prometheus-blackbox-exporter services
# (ports 9090, 9093, 9094, 8428, 9115). The tests start their own servers on free loopback ports
# and never use them: stop the services this script installed.
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
	"${sudo[@]}" systemctl disable --now prometheus.service prometheus-alertmanager.service victoria-metrics.service prometheus-blackbox-exporter.service || true
fi
for tool in /usr/bin/prometheus /usr/bin/promtool /usr/bin/prometheus-alertmanager /usr/bin/amtool /usr/bin/victoria-metrics /usr/bin/prometheus-blackbox-exporter; do
	if [[ ! -x $tool ]]; then
		echo "install-tools: $tool is missing after the install" >&2
		exit 1
	fi
done
promtool --version 2>&1 | head -n 1
amtool --version 2>&1 | head -n 1
dpkg-query -W victoria-metrics 2>/dev/null || true # the binary prints no version of its own
prometheus-blackbox-exporter --version 2>&1 | head -n 1
