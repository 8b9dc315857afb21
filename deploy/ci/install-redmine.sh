#!/usr/bin/env bash
# Installs Redmine 5.0.4 from Debian 12 with SQLite and the thin web server, for the integration
# tests of collector/redmine (make test-redmine). The tests start their own server on a free
# loopback port, each on a fresh copy of the database this script leaves behind; nothing serves
# Redmine after this script.
#
# It writes, under /var/lib/sla_exporter-ci (SLA_CI_DIR overrides it):
#   redmine.key       the admin's REST API key (mode 0644: a throwaway key of a server that only
#                     ever listens on 127.0.0.1 during a test)
#   redmine.sqlite3   the migrated database: Debian's default data (trackers, statuses New to
#                     Rejected, priorities Low to Immediate), the REST API and login_required on,
#                     and an issue custom field "Customer"
#   redmine.prepared  the version of that preparation
# and a Redmine instance "sla-ci" (/var/lib/redmine/sla-ci: Debian's Redmine serves one instance
# per folder there, chosen by REDMINE_INSTANCE) whose database is the file SLA_REDMINE_DB names
# and whose tmp, log and files folders anyone may write, so that a test run by any user serves
# its own copy of redmine.sqlite3.
#
# Idempotent: packages are installed when missing, the database prepared when missing or
# prepared by an older version of this script. Run as root, or as a user with passwordless sudo
# (CI runners). The tests fail, rather than skip, where CI is set and this script has not run.
set -euo pipefail

ci_dir=${SLA_CI_DIR:-/var/lib/sla_exporter-ci}
redmine=/usr/share/redmine
db=/var/lib/dbconfig-common/sqlite3/redmine/instances/default/redmine_default
instance=/var/lib/redmine/sla-ci
packages=(redmine redmine-sqlite thin sqlite3)

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	if ! command -v sudo >/dev/null; then
		echo "install-redmine: not root and no sudo: run it as root" >&2
		exit 1
	fi
	sudo=(sudo)
fi

installed() {
	local pkg
	for pkg in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || return 1
	done
}

if installed; then
	echo "install-redmine: ${packages[*]} are already installed"
else
	apt_get=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900)
	"${apt_get[@]}" update
	"${apt_get[@]}" install -y --no-install-recommends debconf-utils
	# dbconfig-common creates and migrates the SQLite database and loads the default data
	# without asking.
	printf '%s\n' \
		'redmine redmine/instances/default/dbconfig-install boolean true' \
		'redmine redmine/instances/default/database-type select sqlite3' |
		"${sudo[@]}" debconf-set-selections
	# No recommends: they pull in passenger, a second way of serving Redmine the tests never
	# use. sqlite3 is how the tests backdate issues and journals, which the API cannot.
	"${apt_get[@]}" install -y --no-install-recommends "${packages[@]}"
fi

# thin's package enables its service; with systemd, a booted runner would start it. It serves only
# the applications configured under /etc/thin*, none, but stop it anyway: the tests run their own.
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
	"${sudo[@]}" systemctl disable --now thin.service 2>/dev/null || true
fi

# The instance the tests serve. Debian's Gemfile reads the database.yml of every instance (through
# ERB) whenever any of them starts, so this one must read without SLA_REDMINE_DB set too.
"${sudo[@]}" mkdir -p "$instance/config" "$instance/public"
printf '%s\n' \
	"# The sla_exporter tests' Redmine (deploy/ci/install-redmine.sh): each test run serves its" \
	'# own copy of the database, named by SLA_REDMINE_DB.' \
	'production:' \
	'  adapter: sqlite3' \
	'  database: <%= ENV.fetch("SLA_REDMINE_DB", "/nonexistent/SLA_REDMINE_DB-is-not-set") %>' \
	'  timeout: 5000' |
	"${sudo[@]}" tee "$instance/config/database.yml" >/dev/null
if [[ ! -s $instance/config/secret_key.txt ]]; then
	# Signs session cookies, which the API does not use.
	od -An -N32 -tx1 /dev/urandom | tr -d ' \n' | "${sudo[@]}" tee "$instance/config/secret_key.txt" >/dev/null
fi
"${sudo[@]}" chmod 0644 "$instance/config/secret_key.txt" "$instance/config/database.yml"
for d in tmp log files public/plugin_assets; do
	"${sudo[@]}" mkdir -p "$instance/$d"
	"${sudo[@]}" chmod 1777 "$instance/$d"
done

# What the database holds besides Debian's default data. Bump prep_version when it changes, so
# that the next run prepares the database again.
prep_version=1
prepare='
Setting.rest_api_enabled = "1"
Setting.login_required = "1"
IssueCustomField.find_by(name: "Customer") ||
  IssueCustomField.create!(name: "Customer", field_format: "string", is_for_all: true,
                           is_filter: true, tracker_ids: Tracker.pluck(:id))
puts "KEY=" + User.find_by_login("admin").api_key
'
if [[ ! -s $ci_dir/redmine.key || ! -s $ci_dir/redmine.sqlite3 || $(cat "$ci_dir/redmine.prepared" 2>/dev/null) != "$prep_version" ]]; then
	"${sudo[@]}" mkdir -p "$ci_dir"
	# rails runner takes about 10 s. The admin's API key is created when first read.
	key=$(cd "$redmine" && "${sudo[@]}" runuser -u www-data -- env REDMINE_INSTANCE=default RAILS_ENV=production \
		bin/rails runner "$prepare" | sed -n 's/^KEY=//p')
	if [[ ! $key =~ ^[0-9a-f]{40}$ ]]; then
		echo "install-redmine: rails runner printed no API key for admin" >&2
		exit 1
	fi
	# The database as it is now: every test run starts from a copy, so that issue numbers and
	# users' ids are the same on every run.
	"${sudo[@]}" install -m 0644 "$db" "$ci_dir/redmine.sqlite3"
	printf '%s\n' "$key" | "${sudo[@]}" tee "$ci_dir/redmine.key.tmp" >/dev/null
	"${sudo[@]}" chmod 0644 "$ci_dir/redmine.key.tmp"
	"${sudo[@]}" mv "$ci_dir/redmine.key.tmp" "$ci_dir/redmine.key"
	echo "$prep_version" | "${sudo[@]}" tee "$ci_dir/redmine.prepared" >/dev/null
fi

# Nothing may serve Redmine now: a test's server must be the only one, on its own port.
if command -v ss >/dev/null && ss -ltnp 2>/dev/null | grep -E '"(thin|ruby[0-9.]*|rackup)"' >&2; then
	echo "install-redmine: a Redmine server is listening after the install (above): stop it" >&2
	exit 1
fi
echo "install-redmine: Redmine $(dpkg-query -W -f='${Version}' redmine) ready: key $ci_dir/redmine.key, database $ci_dir/redmine.sqlite3, instance $instance"
