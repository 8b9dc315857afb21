#!/usr/bin/env bash
# Installs Request Tracker 5 from Debian (request-tracker5 + SQLite + the standalone server) for
# the rt source's integration tests (collector/rt, `make test-rt`), as ../shared/reference/itsm.md
# §7 describes, and prepares it for them:
#   - /etc/request-tracker5/RT_SiteConfig.d/99-sla-exporter-ci.pm: WebPath '', UTC, an SLA level
#     "standard" (Response 60 business minutes paused while stalled, Resolve 480 business minutes)
#     on the calendar Mon-Fri 09:00-17:00; the port and the database file may be overridden per
#     server by the environment (SLA_RT_PORT, SLA_RT_DB), so each test runs its own server on a
#     copy of the database;
#   - a user "customer" (unprivileged, allowed to create and reply to tickets) for the requestor's
#     side of the response clock, and two ticket custom fields on every queue: Customer (one
#     value) and Components (several);
#   - REST2 auth tokens for root and for customer in /var/lib/sla_exporter-ci/rt.token and
#     rt-customer.token. They are readable by everyone on purpose: they open a throwaway instance
#     that only ever listens on 127.0.0.1 while a test runs.
# Nothing is left running or listening: the tests start rt-server themselves (as www-data).
#
# Idempotent: packages are installed once, the site configuration is rewritten, the user and the
# tokens are made when missing, and a smoke test (rt-server on a free loopback port, one REST2
# call with each token) proves the result every time. Run as root, or as a user with passwordless
# sudo (CI runners). About two minutes the first time, ten seconds after.
set -euo pipefail

state=/var/lib/sla_exporter-ci
site=/etc/request-tracker5/RT_SiteConfig.d/99-sla-exporter-ci.pm
libexec=/usr/share/request-tracker5/libexec
lib=/usr/share/request-tracker5/lib

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	if ! command -v sudo >/dev/null; then
		echo "install-rt: not root and no sudo: run it as root" >&2
		exit 1
	fi
	sudo=(sudo -n)
fi
as_root() { "${sudo[@]}" "$@"; }
as_rt() { as_root runuser -u www-data -- "$@"; }

started=$SECONDS
if [[ $(dpkg-query -W -f='${Status}\n' request-tracker5 rt5-db-sqlite rt5-standalone 2>/dev/null | grep -c 'install ok installed') -eq 3 ]]; then
	echo "install-rt: request-tracker5, rt5-db-sqlite and rt5-standalone are already installed"
else
	as_root debconf-set-selections <<-'EOF'
	request-tracker5 request-tracker5/dbconfig-install boolean true
	request-tracker5 request-tracker5/database-type select sqlite3
	request-tracker5 request-tracker5/rtname string rt.test
	request-tracker5 request-tracker5/organization string rt.test
	request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1:3400
	request-tracker5 request-tracker5/initial-root-password password password
	request-tracker5 request-tracker5/install-cronjobs boolean false
	EOF
	# Daemons that come in as dependencies (exim4 through default-mta) must not start: a
	# policy-rc.d answering 101 forbids it for the install, unless the machine has one already.
	policy=
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
		as_root chmod 0755 "$policy"
		trap 'as_root rm -f "$policy"' EXIT
	fi
	apt_get=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900)
	as_root "${apt_get[@]}" update
	as_root "${apt_get[@]}" install -y request-tracker5 rt5-db-sqlite rt5-standalone
	if [[ -n $policy ]]; then
		as_root rm -f "$policy"
		trap - EXIT
	fi
	echo "install-rt: packages installed in $((SECONDS - started)) s"
fi

# The site configuration. Loaded after Debian's 50-debconf.pm and 51-dbconfig-common.pm, so its
# settings win. Business hours are in $Timezone (UTC), as the tests' calendar is.
as_root install -o root -g www-data -m 0640 /dev/null "$site.tmp"
as_root tee "$site.tmp" >/dev/null <<'EOF'
# Written by sla_exporter's deploy/ci/install-rt.sh for the rt source's integration tests.
# REST2 lives at /REST/2.0: the debconf default WebPath /rt would 302 it to the login page.
Set($WebPath, '');
Set($WebDomain, '127.0.0.1');
# Each test server has its own port and its own copy of the database.
Set($WebPort, $ENV{SLA_RT_PORT} || 3400);
Set($WebBaseURL, 'http://127.0.0.1:' . ($ENV{SLA_RT_PORT} || 3400));
Set($DatabaseName, $ENV{SLA_RT_DB}) if $ENV{SLA_RT_DB};
Set($Timezone, 'UTC');
Set($LogToSTDERR, 'warning');
Set(%ServiceAgreements, (
    Default => 'standard',
    Levels => {
        standard => {
            Starts   => { RealMinutes => 0 },
            Response => { BusinessMinutes => 60, IgnoreOnStatuses => ['stalled'] },
            Resolve  => { BusinessMinutes => 480 },
        },
    },
));
Set(%ServiceBusinessHours, (
    Default => {
        1 => { Name => 'Monday',    Start => '9:00', End => '17:00' },
        2 => { Name => 'Tuesday',   Start => '9:00', End => '17:00' },
        3 => { Name => 'Wednesday', Start => '9:00', End => '17:00' },
        4 => { Name => 'Thursday',  Start => '9:00', End => '17:00' },
        5 => { Name => 'Friday',    Start => '9:00', End => '17:00' },
    },
));
1;
EOF
as_root mv "$site.tmp" "$site"

# The customer user, its rights, two custom fields, and the two tokens. A token is shown once,
# when it is made: it is kept in $state, and made again (both) if a file is lost. The rest is
# checked and made when missing on every run.
as_root install -d -m 0755 "$state"
make_tokens=0
for f in rt.token rt-customer.token; do
	[[ -s $state/$f ]] || make_tokens=1
done
out=$(as_rt env MAKE_TOKENS=$make_tokens perl -I"$lib" -e '
	use strict; use warnings;
	use RT; RT::LoadConfig(); RT::Init();
	my $sys = RT->SystemUser;
	my $c = RT::User->new($sys); $c->Load("customer");
	unless ($c->id) {
		my ($ok, $msg) = $c->Create(Name => "customer", EmailAddress => "customer\@example.com",
			RealName => "A Customer", Privileged => 0);
		die "customer: $msg\n" unless $ok;
	}
	# Unprivileged users reach REST2 with these rights, granted to Everyone on every queue.
	my $everyone = RT::Group->new($sys); $everyone->LoadSystemInternalGroup("Everyone");
	for my $right (qw(CreateTicket ReplyToTicket SeeQueue ShowTicket ModifySelf ManageAuthTokens)) {
		next if $everyone->PrincipalObj->HasRight(Right => $right, Object => RT->System);
		my ($ok, $msg) = $everyone->PrincipalObj->GrantRight(Right => $right, Object => RT->System);
		die "grant $right: $msg\n" unless $ok;
	}
	# Ticket custom fields on every queue (REST2 can make a custom field, not apply it).
	for my $def (["Customer", 1], ["Components", 0]) {
		my ($name, $max) = @$def;
		my $cf = RT::CustomField->new($sys);
		$cf->LoadByName(Name => $name, LookupType => RT::Ticket->CustomFieldLookupType);
		unless ($cf->id) {
			my ($ok, $msg) = $cf->Create(Name => $name, Type => "Freeform", MaxValues => $max,
				LookupType => RT::Ticket->CustomFieldLookupType);
			die "custom field $name: $msg\n" unless $ok;
		}
		unless ($cf->IsGlobal) {
			my ($ok, $msg) = $cf->AddToObject(RT::Queue->new($sys));
			die "apply custom field $name: $msg\n" unless $ok;
		}
	}
	exit 0 unless $ENV{MAKE_TOKENS};
	for my $name (qw(root customer)) {
		my $u = RT::User->new($sys); $u->Load($name);
		my ($id, $msg, $token) = RT::AuthToken->new($sys)->Create(Owner => $u->id, Description => "sla_exporter ci");
		die "token for $name: $msg\n" unless $id;
		print "$name $token\n";
	}
' 2> >(grep -v 'RT_SiteConfig.pm' >&2))
if [[ $make_tokens -eq 1 ]]; then
	root_token=$(awk '$1 == "root" {print $2}' <<<"$out")
	customer_token=$(awk '$1 == "customer" {print $2}' <<<"$out")
	if [[ -z $root_token || -z $customer_token ]]; then
		echo "install-rt: no tokens were made" >&2
		exit 1
	fi
	for f in rt.token:$root_token rt-customer.token:$customer_token; do
		printf '%s\n' "${f#*:}" | as_root tee "$state/${f%%:*}.tmp" >/dev/null
		as_root chmod 0644 "$state/${f%%:*}.tmp"
		as_root mv "$state/${f%%:*}.tmp" "$state/${f%%:*}"
	done
	echo "install-rt: tokens written to $state"
fi

# Smoke test: the server answers REST2 with both tokens, then stops.
port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport')
log=$(mktemp)
# Not through as_root: $! must be runuser (or sudo), which passes the TERM on to rt-server.
"${sudo[@]}" runuser -u www-data -- env SLA_RT_PORT="$port" "$libexec/rt-server" --listen "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
stop_server() {
	kill "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
}
trap 'stop_server; rm -f "$log"' EXIT
ok=0
for _ in $(seq 1 120); do
	if curl -fsS -o /dev/null "http://127.0.0.1:$port/REST/2.0/queues/all" -H "Authorization: token $(cat "$state/rt.token")" 2>/dev/null; then
		ok=1
		break
	fi
	sleep 0.5
done
if [[ $ok -ne 1 ]]; then
	echo "install-rt: rt-server did not answer on 127.0.0.1:$port; its log:" >&2
	tail -n 40 "$log" >&2
	exit 1
fi
code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/REST/2.0/tickets?query=id>0" -H "Authorization: token $(cat "$state/rt-customer.token")")
if [[ $code != 200 ]]; then
	echo "install-rt: the customer's token got HTTP $code from REST2" >&2
	exit 1
fi
stop_server
trap - EXIT
rm -f "$log"

# Nothing installed here may stay up (exim4 comes with default-mta).
if listening=$(ss -ltnpH 2>/dev/null | grep -E 'exim|rt-server|starlet|perl' || true) && [[ -n $listening ]]; then
	echo "install-rt: still listening after the install:" >&2
	echo "$listening" >&2
	exit 1
fi
echo "install-rt: RT $(dpkg-query -W -f='${Version}' request-tracker5) ready in $((SECONDS - started)) s (tokens in $state)"
