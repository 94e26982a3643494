#!/usr/bin/env bash
# StayRTR's rtrdump (package stayrtr) against `rtrmod serve` on committed
# real data, at each RTR version it speaks: one Reset Query, the full set,
# written as JSON, which must be exactly what that version may carry:
#   v0 (RFC 6810): the VRPs only (no router keys, no ASPA);
#   v1 (RFC 8210): the VRPs and the router keys (no ASPA);
#   v2 (8210bis): the VRPs and the router keys, from a server run with
#      -disable.aspa: rtrdump 0.5.1 decodes ASPA PDUs in the layout of
#      draft-ietf-sidrops-8210bis-10 (an AFI-flags word and a provider count
#      before the customer), not the current one rtrmod sends, and drops the
#      session at the first ASPA PDU.
# The v2 session is over [::1] where the machine has IPv6 loopback.
# Between v1 and v2 the files change, the server gets SIGHUP, and a v1 dump
# is the new set; then they change back, SIGHUP, and Serial Queries from the
# older serials get exactly the net change (RFC 8210 §5.3, §8.2): nothing
# from the first serial, the reverse of the edit from the second; a Serial
# Query with another Session ID gets Cache Reset.
# shellcheck source=tests/interop/lib.sh
. "$top_srcdir/tests/interop/lib.sh"

need_peer rtrdump

source_files
serve_start "$tmp/a.json" "$tmp/b.json"

# dump VERSION WANT [ARGS...]: rtrdump at VERSION, connecting to
# $dump_host, prints exactly WANT.
dump_host=127.0.0.1
dump() {
	local v=$1 want=$2 out="$tmp/dump-v$1.json"
	shift 2
	rm -f "$out"
	if timeout 30 rtrdump -connect "$dump_host:$serve_port" -rtr.version "$v" \
		-file "$out" -loglevel debug "$@" >"$tmp/rtrdump-v$v.log" 2>&1 && [ -s "$out" ]; then
		"$python" "$vrps_py" rtrdump "$out" >"$tmp/got-v$v" || : >"$tmp/got-v$v"
	else
		fail "rtrdump -rtr.version $v: exit status $?, or no output"
		show "$tmp/rtrdump-v$v.log" 20
		: >"$tmp/got-v$v"
	fi
	same "rtrdump v$v${*:+ ($*)} from $dump_host: the set it may carry" "$want" "$tmp/got-v$v"
}

expect_set "$tmp/want1" "$tmp/a.json" "$tmp/b.json"
grep '^vrp ' "$tmp/want1" >"$tmp/want1.v0"
grep -E '^(vrp|key) ' "$tmp/want1" >"$tmp/want1.v1"
dump 0 "$tmp/want1.v0"
dump 1 "$tmp/want1.v1"

# The reload is asynchronous: poll with fresh dumps (bounded).
dump_is() {
	timeout 20 rtrdump -connect "127.0.0.1:$serve_port" -rtr.version 1 \
		-file "$tmp/poll.json" -loglevel debug >"$tmp/poll.log" 2>&1 &&
		"$python" "$vrps_py" rtrdump "$tmp/poll.json" >"$tmp/poll" && cmp -s "$1" "$tmp/poll"
}
# eod_serial LOG: the serial of the End of Data rtrdump logged.
eod_serial() {
	sed -n 's/.*PDU End of Data v[0-9] (session: [0-9]*): serial: \([0-9]*\).*/\1/p' "$1" | tail -n 1
}
session=$(sed -n 's/.*PDU Cache Response v1 (session: \([0-9]*\)).*/\1/p' "$tmp/rtrdump-v1.log" | head -n 1)
serial0=$(eod_serial "$tmp/rtrdump-v1.log")
cp "$tmp/a.json" "$tmp/a.orig.json" && cp "$tmp/b.json" "$tmp/b.orig.json" || exit 99

edit_sources
serve_reload
expect_set "$tmp/want2" "$tmp/a.json" "$tmp/b.json"
grep -E '^(vrp|key) ' "$tmp/want2" >"$tmp/want2.v1"
if ! wait_for 30 "rtrdump: the new set after SIGHUP" dump_is "$tmp/want2.v1"; then
	same "rtrdump v1 after SIGHUP" "$tmp/want2.v1" "$tmp/poll"
fi
serial1=$(eod_serial "$tmp/poll.log")

# ---- back to the first set; Serial Queries from the older serials --------

cp "$tmp/a.orig.json" "$tmp/a.json" && cp "$tmp/b.orig.json" "$tmp/b.json" || exit 99
serve_reload
if ! wait_for 30 "rtrdump: the first set again after a second SIGHUP" dump_is "$tmp/want1.v1"; then
	same "rtrdump v1 after the second SIGHUP" "$tmp/want1.v1" "$tmp/poll"
fi
serial2=$(eod_serial "$tmp/poll.log")
say "session $session, serials $serial0 -> $serial1 -> $serial2"

# serial_query SESSION SERIAL NAME: rtrdump's Serial Query; its log is
# $tmp/NAME.log and its prefix PDUs, as +/- lines, $tmp/NAME.
serial_query() {
	timeout 20 rtrdump -connect "127.0.0.1:$serve_port" -rtr.version 1 -serial \
		-session.id "$1" -serial.value "$2" -datapdu -loglevel debug \
		-file "$tmp/$3.json" >"$tmp/$3.log" 2>&1 ||
		fail "rtrdump Serial Query from $2: exit status $?"
	"$python" "$vrps_py" rtrdump-delta "$tmp/$3.log" >"$tmp/$3"
}
if [ "$server_kind" != rtrmod ]; then
	# StayRTR 0.5.1 replays its deltas one by one (from the first serial it
	# re-announces what the edit withdrew) and answers another Session ID
	# with an Error Report.
	say "note: Serial Query checks are for rtrmod only"
elif [ -n "$session" ] && [ -n "$serial0" ] && [ -n "$serial1" ] && [ -n "$serial2" ]; then
	serial_query "$session" "$serial0" sq0
	: >"$tmp/sq0.want"
	same "Serial Query from $serial0 (same set now): no change" "$tmp/sq0.want" "$tmp/sq0"
	[ "$(eod_serial "$tmp/sq0.log")" = "$serial2" ] && ok "... and End of Data at serial $serial2" ||
		fail "Serial Query from $serial0: End of Data not at serial $serial2"
	serial_query "$session" "$serial1" sq1
	{
		comm -13 "$tmp/want2.v1" "$tmp/want1.v1" | sed 's/^/+ /'
		comm -23 "$tmp/want2.v1" "$tmp/want1.v1" | sed 's/^/- /'
	} | grep ' vrp ' | sort >"$tmp/sq1.want"
	same "Serial Query from $serial1: exactly the reverse of the edit" "$tmp/sq1.want" "$tmp/sq1"
	serial_query $(((session + 1) % 65536)) "$serial2" sqx
	grep -q 'PDU Cache Reset' "$tmp/sqx.log" && ok "Serial Query for another Session ID: Cache Reset" ||
		fail "Serial Query for another Session ID: no Cache Reset"
else
	fail "rtrdump: no Session ID or serial in its logs"
fi
serve_stop

# This server listens on [::1] too, where the machine has it: rtrdump
# reaches it over IPv6.
serve_args=(-disable.aspa)
if [ "$server_kind" = rtrmod ] && have_v6_loopback; then
	serve_also_v6=1
	dump_host='[::1]'
else
	say "note: no IPv6 loopback here; v2 over 127.0.0.1"
fi
serve_start "$tmp/a.json" "$tmp/b.json"
dump 2 "$tmp/want1.v1"
if [ "$server_kind" = rtrmod ]; then
	grep -q 'negotiated protocol version 2' "$tmp/serve.log" &&
		ok "rtrmod serve: rtrdump's session at version 2" ||
		fail "rtrmod serve: no session at version 2"
	if [ "$dump_host" = '[::1]' ]; then
		grep -q 'cache: \[::1\]:[0-9]*: connected' "$tmp/serve.log" &&
			ok "rtrmod serve: the session came over [::1]" ||
			fail "rtrmod serve: logged no session from [::1]"
	fi
fi
serve_stop
finish
