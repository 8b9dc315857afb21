#!/usr/bin/env bash
# Installs Zabbix 6.0 from Debian 12 (zabbix-server-pgsql, zabbix-frontend-php, PHP's command-line
# server, PostgreSQL) for the zabbix source's integration test (collector/zabbix, make
# test-zabbix), and prepares what each test run copies:
#   /etc/zabbix/zabbix.conf.php       the frontend's configuration: a PostgreSQL on 127.0.0.1
#                                     whose port the environment gives (SLA_ZABBIX_DB_PORT), so
#                                     that each test serves the API from `php -S` on its own
#                                     database, without Apache
#   /var/lib/sla_exporter-ci/zabbix-pg  a PostgreSQL cluster (owned by the zabbix user) holding
#                                     the zabbix database: Debian's schema, images and data, the
#                                     "Zabbix server" host disabled (nothing polls an agent)
#   /var/lib/sla_exporter-ci/zabbix.prepared  the version of that preparation
# Nothing is left running or listening: the tests start PostgreSQL, php -S and zabbix_server
# themselves, as the zabbix user, on free loopback ports, and stop them.
#
# Idempotent: packages are installed when missing, the cluster prepared when missing or prepared
# by an older version of this script, and a smoke test (the cluster, php -S, apiinfo.version and
# a login) proves the result every time. Run as root, or as a user with passwordless sudo (CI
# runners). About 25 s for the packages and 25 s for the database the first time, 3 s after.
set -euo pipefail

state=${SLA_CI_DIR:-/var/lib/sla_exporter-ci}
cluster=$state/zabbix-pg
prep_version=1
packages=(zabbix-server-pgsql zabbix-frontend-php postgresql php8.2-cli php8.2-cgi php8.2-pgsql php8.2-bcmath php8.2-gd php8.2-mbstring php8.2-xml curl)

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	if ! command -v sudo >/dev/null; then
		echo "install-zabbix: not root and no sudo: run it as root" >&2
		exit 1
	fi
	sudo=(sudo -n)
fi
as_root() { "${sudo[@]}" "$@"; }
as_zabbix() { as_root runuser -u zabbix -- "$@"; }

started=$SECONDS
installed() {
	local pkg
	for pkg in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || return 1
	done
}
if installed; then
	echo "install-zabbix: ${packages[*]} are already installed"
else
	# The packages' daemons (zabbix-server, PostgreSQL's main cluster) must not start: a
	# policy-rc.d answering 101 forbids it for the install, unless the machine has one already.
	# php8.2-cgi is named so that PHP's dependency on a web server module is met without Apache.
	policy=
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
		as_root chmod 0755 "$policy"
		trap 'as_root rm -f "$policy"' EXIT
	fi
	apt_get=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900)
	as_root "${apt_get[@]}" update
	as_root "${apt_get[@]}" install -y --no-install-recommends "${packages[@]}"
	if [[ -n $policy ]]; then
		as_root rm -f "$policy"
		trap - EXIT
	fi
	echo "install-zabbix: packages installed in $((SECONDS - started)) s"
fi
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
	as_root systemctl disable --now zabbix-server.service postgresql.service 2>/dev/null || true
fi

pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [[ ! -x $pgbin/postgres ]]; then
	echo "install-zabbix: no PostgreSQL server under /usr/lib/postgresql" >&2
	exit 1
fi

# The frontend's configuration (Debian's frontend reads /etc/zabbix/zabbix.conf.php). The
# database's port and the server's come from the environment of each test's php -S.
as_root tee /etc/zabbix/zabbix.conf.php.tmp >/dev/null <<'PHP'
<?php
// Written by sla_exporter's deploy/ci/install-zabbix.sh for the zabbix source's integration test:
// each test serves this frontend with `php -S` on its own copy of the database.
$DB['TYPE']           = 'POSTGRESQL';
$DB['SERVER']         = '127.0.0.1';
$DB['PORT']           = getenv('SLA_ZABBIX_DB_PORT') ?: '5432';
$DB['DATABASE']       = 'zabbix';
$DB['USER']           = 'zabbix';
$DB['PASSWORD']       = '';
$DB['SCHEMA']         = '';
$DB['ENCRYPTION']     = false;
$DB['KEY_FILE']       = '';
$DB['CERT_FILE']      = '';
$DB['CA_FILE']        = '';
$DB['VERIFY_HOST']    = false;
$DB['CIPHER_LIST']    = '';
$DB['VAULT_URL']      = '';
$DB['VAULT_DB_PATH']  = '';
$DB['VAULT_TOKEN']    = '';
$DB['DOUBLE_IEEE754'] = true;
$ZBX_SERVER           = '127.0.0.1';
$ZBX_SERVER_PORT      = getenv('SLA_ZABBIX_SERVER_PORT') ?: '10051';
$ZBX_SERVER_NAME      = 'sla-ci';
$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
PHP
as_root chmod 0644 /etc/zabbix/zabbix.conf.php.tmp
as_root mv /etc/zabbix/zabbix.conf.php.tmp /etc/zabbix/zabbix.conf.php

free_port() {
	php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];'
}

work=$(mktemp -d)
as_root chown zabbix: "$work"
pg_pid=
php_pid=
cleanup() {
	if [[ -n $php_pid ]]; then
		kill "$php_pid" 2>/dev/null || true
		wait "$php_pid" 2>/dev/null || true
		php_pid=
	fi
	[[ -n $pg_pid ]] && as_zabbix "$pgbin/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true
	as_root rm -rf "$work"
}

db_port=$(free_port)
pg_opts="-p $db_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [[ ! -s $cluster/PG_VERSION || $(cat "$state/zabbix.prepared" 2>/dev/null) != "$prep_version" ]]; then
	as_root mkdir -p "$state"
	as_root rm -rf "$cluster.tmp"
	as_root install -d -o zabbix -g zabbix -m 0700 "$cluster.tmp"
	as_zabbix "$pgbin/initdb" -D "$cluster.tmp" -U zabbix --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
	trap 'cleanup "$cluster.tmp"' EXIT
	as_zabbix "$pgbin/pg_ctl" -D "$cluster.tmp" -o "$pg_opts" -l "$work/pg.log" -w start >/dev/null
	pg_pid=1
	as_zabbix "$pgbin/createdb" -h 127.0.0.1 -p "$db_port" -U zabbix zabbix
	for f in schema images data; do
		zcat "/usr/share/zabbix-server-pgsql/$f.sql.gz"
	done | as_zabbix psql -q -h 127.0.0.1 -p "$db_port" -U zabbix -d zabbix -v ON_ERROR_STOP=1 >/dev/null
	as_zabbix psql -q -h 127.0.0.1 -p "$db_port" -U zabbix -d zabbix -v ON_ERROR_STOP=1 \
		-c "UPDATE hosts SET status=1 WHERE host='Zabbix server'" >/dev/null
	as_zabbix "$pgbin/pg_ctl" -D "$cluster.tmp" -m fast -w stop >/dev/null
	pg_pid=
	trap 'cleanup' EXIT
	as_root rm -rf "$cluster"
	as_root mv "$cluster.tmp" "$cluster"
	echo "$prep_version" | as_root tee "$state/zabbix.prepared" >/dev/null
	echo "install-zabbix: database prepared in $cluster"
fi

# Smoke test: a copy of the cluster, the frontend on php -S, the API's version and a login.
as_zabbix cp -a "$cluster" "$work/pg"
trap 'cleanup "$work/pg"' EXIT
as_zabbix "$pgbin/pg_ctl" -D "$work/pg" -o "$pg_opts" -l "$work/pg.log" -w start >/dev/null
pg_pid=1
web_port=$(free_port)
# Not through as_root: $! must be runuser (or sudo), which passes the TERM on to php.
"${sudo[@]}" runuser -u zabbix -- env SLA_ZABBIX_DB_PORT="$db_port" php -S "127.0.0.1:$web_port" -t /usr/share/zabbix >"$work/php.log" 2>&1 &
php_pid=$!
call() {
	curl -fsS -X POST -H 'Content-Type: application/json-rpc' --data "$1" "http://127.0.0.1:$web_port/api_jsonrpc.php"
}
out=
for _ in $(seq 1 50); do
	if out=$(call '{"jsonrpc":"2.0","method":"apiinfo.version","params":[],"id":1}' 2>/dev/null); then
		break
	fi
	sleep 0.2
done
if [[ $out != *'"result":"6.'* ]]; then
	echo "install-zabbix: the API did not answer apiinfo.version: $out" >&2
	tail -n 20 "$work/php.log" >&2
	exit 1
fi
login=$(call '{"jsonrpc":"2.0","method":"user.login","params":{"username":"Admin","password":"zabbix"},"id":2}')
if [[ $login != *'"result":"'* ]]; then
	echo "install-zabbix: the API refused Admin's login: $login" >&2
	exit 1
fi
cleanup "$work/pg"
trap - EXIT
wait 2>/dev/null || true
# Nothing installed or started here may stay up.
if listening=$(ss -ltnpH 2>/dev/null | grep -E '"(php[0-9.]*|postgres|zabbix_server)"' || true) && [[ -n $listening ]]; then
	echo "install-zabbix: still listening after the install:" >&2
	echo "$listening" >&2
	exit 1
fi
echo "install-zabbix: Zabbix $(dpkg-query -W -f='${Version}' zabbix-server-pgsql) ready in $((SECONDS - started)) s (database $cluster)"
