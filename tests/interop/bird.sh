#!/usr/bin/env bash
# BIRD 2 (package bird2), its native `protocol rpki`, against `rtrmod serve`
# on committed real VRP data:
#   1. BIRD's session comes up at RTR version 1 (BIRD 2 speaks 0 and 1, not
#      2: rtrmod must answer it at 1 and send it no ASPA), takes the expire
#      timer of End of Data, and its ROA tables r4 and r6 hold exactly the
#      served IPv4 and IPv6 VRPs;
#   2. `roa_check()` gives, for routes picked from the data, the state an
#      independent RFC 6811 implementation (vrps.py) gives: valid, invalid
#      (other origin, past maxLength, AS0) and unknown;
#   3. the files change and the server gets SIGHUP: the same session (same
#      Session ID, a later serial) ends with exactly the new set;
#   4. the server restarts on the same port with other data: BIRD
#      reconnects, its Serial Query for the old Session ID gets Cache Reset,
#      and its Reset Query brings exactly the new server's set;
#   5. BIRD is reconfigured (`birdc configure`) to a server run with
#      -protocol 0: it is refused at v1 with Unsupported Protocol Version,
#      downgrades to 0 and loads that server's set.
# BIRD runs in the foreground as this script's child, with a private config,
# control socket and pid file; it is stopped by its PID.
# shellcheck source=tests/interop/lib.sh
. "$top_srcdir/tests/interop/lib.sh"

need_peer bird birdc

source_files
serve_start "$tmp/a.json" "$tmp/b.json"
expect_set "$tmp/want1" "$tmp/a.json" "$tmp/b.json"
grep '^vrp [^:]* ' "$tmp/want1" >"$tmp/want1.v4"
grep '^vrp .*:' "$tmp/want1" >"$tmp/want1.v6"

ctl="$tmp/bird.ctl"
# bird_conf: the config for the server on $serve_port.
bird_conf() {
	cat >"$tmp/bird.conf" <<EOF
log "$tmp/bird-own.log" all;
router id 192.0.2.1;
roa4 table r4;
roa6 table r6;
protocol rpki rtrmod {
	debug { states, events, packets };
	roa4 { table r4; };
	roa6 { table r6; };
	remote 127.0.0.1 port $serve_port;
	retry keep 5;
	refresh keep 30;
}
EOF
}
bird_conf
bird -p -c "$tmp/bird.conf" >"$tmp/parse.out" 2>&1 || {
	show "$tmp/parse.out"
	say "ERROR: bird rejects the test's config"
	exit 99
}
spawn bird bird -f -c "$tmp/bird.conf" -s "$ctl" -P "$tmp/bird.pid"
bird_pid=$spawned

# birdc ARGS...: one command on BIRD's control socket, output to stdout.
bctl() {
	timeout 10 birdc -s "$ctl" "$@"
}
bird_up() { bctl show status | grep -q 'Daemon is up'; }
proto() { bctl show protocols all rtrmod >"$tmp/proto.out" && cat "$tmp/proto.out"; }
established() { proto | grep -q 'Status: *Established'; }

wait_for 15 "bird: control socket answers" bird_up || exit 1
say "peer: $(bctl show status | grep -m1 '^BIRD')"
wait_for 30 "bird: RTR session Established" established || {
	show "$tmp/proto.out"
	exit 1
}

# ---- 1. the tables --------------------------------------------------------

# tables_are WANT4 WANT6: r4 and r6 hold exactly these VRPs.
tables_are() {
	bctl show route table r4 >"$tmp/r4.out" && bctl show route table r6 >"$tmp/r6.out" &&
		"$python" "$vrps_py" bird "$tmp/r4.out" >"$tmp/r4" &&
		"$python" "$vrps_py" bird "$tmp/r6.out" >"$tmp/r6" &&
		cmp -s "$1" "$tmp/r4" && cmp -s "$2" "$tmp/r6"
}
wait_for 30 "bird: ROA tables filled" tables_are "$tmp/want1.v4" "$tmp/want1.v6"
same "bird: table r4 is the served IPv4 set" "$tmp/want1.v4" "$tmp/r4"
same "bird: table r6 is the served IPv6 set" "$tmp/want1.v6" "$tmp/r6"
n4=$(bctl show route table r4 count | sed -n 's/^\([0-9]*\) of .*/\1/p')
[ "$n4" = "$(wc -l <"$tmp/want1.v4")" ] && ok "bird: 'show route table r4 count' says $n4" ||
	fail "bird: 'show route table r4 count' says '$n4', wanted $(wc -l <"$tmp/want1.v4")"

proto >/dev/null
version=$(sed -n 's/^ *Protocol version: *//p' "$tmp/proto.out")
[ "$version" = 1 ] && ok "bird: RTR protocol version 1 negotiated" ||
	fail "bird: RTR protocol version '$version', wanted 1"
grep -Eq "Expire timer *: *[0-9.]+/$rtr_expire\$" "$tmp/proto.out" &&
	ok "bird: takes the expire timer of End of Data ($rtr_expire s)" ||
	fail "bird: expire timer is not $rtr_expire: $(grep 'Expire timer' "$tmp/proto.out")"
session1=$(sed -n 's/^ *Session ID: *//p' "$tmp/proto.out")
serial1=$(sed -n 's/^ *Serial number: *//p' "$tmp/proto.out")

# ---- 2. origin validation -------------------------------------------------

"$python" "$vrps_py" rov-cases "$tmp/a.json" "$tmp/b.json" >"$tmp/cases" || exit 99
n_cases=0 n_bad=0
while read -r net origin want; do
	case "$net" in
	*:*) table=r6 ;;
	*) table=r4 ;;
	esac
	# BIRD prints the enum: ROA_UNKNOWN 0, ROA_VALID 1, ROA_INVALID 2.
	raw=$(bctl "eval roa_check($table, $net, $origin)" | sed -n 's/^(enum [0-9]*)//p')
	case "$raw" in
	0) got=not-found ;;
	1) got=valid ;;
	2) got=invalid ;;
	*) got="?($raw)" ;;
	esac
	n_cases=$((n_cases + 1))
	if [ "$got" != "$want" ]; then
		fail "bird: roa_check($table, $net, AS$origin) is $got, RFC 6811 says $want"
		n_bad=$((n_bad + 1))
	fi
done <"$tmp/cases"
[ "$n_bad" -eq 0 ] && ok "bird: roa_check() agrees on all $n_cases routes" \
	"($(grep -c ' valid$' "$tmp/cases") valid, $(grep -c ' invalid$' "$tmp/cases") invalid," \
	"$(grep -c ' not-found$' "$tmp/cases") unknown)"
[ "$(bctl 'eval roa_check(r4, 1.0.0.0/24, 13335) = ROA_VALID' | tail -n 1)" = TRUE ] &&
	ok "bird: roa_check(r4, 1.0.0.0/24, 13335) = ROA_VALID" ||
	fail "bird: roa_check(r4, 1.0.0.0/24, 13335) is not ROA_VALID"

# ---- 3. SIGHUP: an incremental update -------------------------------------

edit_sources
serve_reload
expect_set "$tmp/want2" "$tmp/a.json" "$tmp/b.json"
grep '^vrp [^:]* ' "$tmp/want2" >"$tmp/want2.v4"
grep '^vrp .*:' "$tmp/want2" >"$tmp/want2.v6"
if ! wait_for 30 "bird: tables follow the SIGHUP" tables_are "$tmp/want2.v4" "$tmp/want2.v6"; then
	same "bird: table r4 after SIGHUP" "$tmp/want2.v4" "$tmp/r4"
	same "bird: table r6 after SIGHUP" "$tmp/want2.v6" "$tmp/r6"
fi
proto >/dev/null
grep -q 'Status: *Established' "$tmp/proto.out" && ok "bird: session still Established" ||
	fail "bird: session not Established after the update"
session2=$(sed -n 's/^ *Session ID: *//p' "$tmp/proto.out")
serial2=$(sed -n 's/^ *Serial number: *//p' "$tmp/proto.out")
[ -n "$session1" ] && [ "$session1" = "$session2" ] &&
	ok "bird: same Session ID ($session1)" ||
	fail "bird: Session ID changed: '$session1' -> '$session2'"
[ -n "$serial1" ] && [ -n "$serial2" ] && [ "$serial2" != "$serial1" ] &&
	ok "bird: serial $serial1 -> $serial2" ||
	fail "bird: serial did not move: '$serial1' -> '$serial2'"
if grep -Eiq 'error|cache reset' "$tmp/bird-own.log"; then
	fail "bird: its log has an error or a Cache Reset"
	grep -Ei 'error|cache reset' "$tmp/bird-own.log" | head -n 5 | sed 's/^/  | /'
else
	ok "bird: no error or Cache Reset in its log"
fi


# ---- 4. a new server on the same port: Cache Reset ------------------------

serve_restart "$tmp/b.json"
expect_set "$tmp/want3" "$tmp/b.json"
grep '^vrp [^:]* ' "$tmp/want3" >"$tmp/want3.v4"
grep '^vrp .*:' "$tmp/want3" >"$tmp/want3.v6"
# BIRD retries every 5 s (retry keep 5): after the lost connection, and
# again after the Cache Reset.
resynced() {
	proto >/dev/null && grep -q 'Status: *Established' "$tmp/proto.out" &&
		! grep -q "Session ID: *$session1\$" "$tmp/proto.out" &&
		tables_are "$tmp/want3.v4" "$tmp/want3.v6"
}
if ! wait_for 40 "bird: resynced with the restarted server" resynced; then
	show "$tmp/proto.out" 12
	same "bird: table r4 after the restart" "$tmp/want3.v4" "$tmp/r4"
fi
if [ "$server_kind" = rtrmod ]; then
	grep -q 'Received Cache Reset' "$tmp/bird-own.log" &&
		ok "bird: got Cache Reset for the old Session ID" ||
		fail "bird: got no Cache Reset for the old Session ID"
fi
serve_stop

# ---- 5. a v0-only server: BIRD downgrades ---------------------------------

serve_args=(-protocol 0)
serve_start "$tmp/a.json"
expect_set "$tmp/want4" "$tmp/a.json"
grep '^vrp [^:]* ' "$tmp/want4" >"$tmp/want4.v4"
grep '^vrp .*:' "$tmp/want4" >"$tmp/want4.v6"
bird_conf
bctl configure >"$tmp/configure.out" 2>&1
grep -Eq 'Reconfigur(ed|ation in progress)' "$tmp/configure.out" && ok "bird: reconfigured to the v0 server" ||
	fail "bird: 'configure' failed: $(tr '\n' ' ' <"$tmp/configure.out")"
at_v0() {
	proto >/dev/null && grep -q 'Status: *Established' "$tmp/proto.out" &&
		grep -q 'Protocol version: *0$' "$tmp/proto.out" &&
		tables_are "$tmp/want4.v4" "$tmp/want4.v6"
}
if wait_for 30 "bird: at version 0 with the new server's set" at_v0; then
	ok "bird: 'Protocol version: 0'"
else
	show "$tmp/proto.out" 12
fi
if [ "$server_kind" = rtrmod ]; then
	grep -q 'Downgrading from protocol version 1 to version 0' "$tmp/bird-own.log" &&
		ok "bird: downgraded from version 1 to 0" || fail "bird: logged no downgrade from 1 to 0"
fi

stop "$bird_pid" 10
forget "$bird_pid"
serve_stop
finish
