#!/usr/bin/env bash
# Installs the Prometheus and Alertmanager tools the deploy/e2e tests run, the servers the
# prometheus and blackbox sources are tested against, and the browser the pages are tested in
# and the report printed to PDF with (Debian/Ubuntu):
#   /usr/bin/prometheus, /usr/bin/promtool, /usr/bin/prometheus-alertmanager, /usr/bin/amtool,
#   /usr/bin/victoria-metrics, /usr/bin/prometheus-blackbox-exporter,
#   /usr/bin/chromium, /usr/bin/pdftotext and /usr/bin/pdfinfo (poppler-utils), and the Noto
#   fonts (fonts-noto-core), which the pages' system-ui font resolves to: the PDF tests count
#   pages, and the count follows the fonts.
# Idempotent: does nothing when they are all there already. Run as root, or as a user with
# passwordless sudo (CI runners). The tests fail, rather than skip, on a machine where CI is set
# and these tools are missing.
set -euo pipefail

if [[ -x /usr/bin/promtool && -x /usr/bin/amtool && -x /usr/bin/victoria-metrics && -x /usr/bin/prometheus-blackbox-exporter &&
	-x /usr/bin/chromium && -x /usr/bin/pdftotext && -x /usr/bin/pdfinfo && -d /usr/share/fonts/truetype/noto ]]; then
	echo "install-tools: promtool, amtool, victoria-metrics, prometheus-blackbox-exporter, chromium, poppler-utils and fonts-noto-core are already installed"
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
"${apt_get[@]}" install -y --no-install-recommends prometheus prometheus-alertmanager victoria-metrics prometheus-blackbox-exporter \
	chromium poppler-utils fonts-noto-core

# The packages' postinst scripts enable and, on a machine booted with systemd, start the
# prometheus, prometheus-alertmanager, victoria-metrics and prometheus-blackbox-exporter services
# (ports 9090, 9093, 9094, 8428, 9115). The tests start their own servers on free loopback ports
# and never use them: stop the services this script installed.
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
	"${sudo[@]}" systemctl disable --now prometheus.service prometheus-alertmanager.service victoria-metrics.service prometheus-blackbox-exporter.service || true
fi
for tool in /usr/bin/prometheus /usr/bin/promtool /usr/bin/prometheus-alertmanager /usr/bin/amtool /usr/bin/victoria-metrics /usr/bin/prometheus-blackbox-exporter \
	/usr/bin/chromium /usr/bin/pdftotext /usr/bin/pdfinfo; do
	if [[ ! -x $tool ]]; then
		echo "install-tools: $tool is missing after the install" >&2
		exit 1
	fi
done
promtool --version 2>&1 | head -n 1
amtool --version 2>&1 | head -n 1
dpkg-query -W victoria-metrics 2>/dev/null || true # the binary prints no version of its own
prometheus-blackbox-exporter --version 2>&1 | head -n 1
chromium --version 2>/dev/null || true # needs no display to print its version
pdftotext -v 2>&1 | head -n 1
