# SLAClock: the time Request Tracker sees, set by the integration tests of sla_exporter's rt
# source (collector/rt). Loaded into rt-server with PERL5OPT=-MSLAClock before RT compiles, it
# replaces Perl's time, localtime and gmtime: while the file named by $SLA_RT_CLOCK holds a Unix
# time, that is the time (frozen), so tickets, transactions and RT's SLA Due are dated at the
# instants the test chose; without the file, the real time. Test-only: never install it.
package SLAClock;
use strict;
use warnings;

my $file = $ENV{SLA_RT_CLOCK};

sub now {
    if ( defined $file && open my $fh, '<', $file ) {
        my $t = <$fh>;
        close $fh;
        return $1 + 0 if defined $t && $t =~ /^\s*(\d+)\s*$/;
    }
    return CORE::time();
}

BEGIN {
    *CORE::GLOBAL::time      = sub () { now() };
    *CORE::GLOBAL::localtime = sub (;$) { CORE::localtime( @_ ? $_[0] : now() ) };
    *CORE::GLOBAL::gmtime    = sub (;$) { CORE::gmtime( @_ ? $_[0] : now() ) };
}

1;
