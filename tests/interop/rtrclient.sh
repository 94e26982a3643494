#!/usr/bin/env bash
# RTRlib's rtrclient (package rtr-tools; RTR v1, falling back to v0)
# against `rtrmod serve` on committed real VRP data:
#   1. `rtrclient -e` (a Reset Query, one full sync, export) prints exactly
#      the served VRP set;
#   2. a live `rtrclient -p -k` session builds exactly the served VRPs and
#      router keys (ASPAs are v2 only: never sent to it), and takes the
#      timers of End of Data;
#   3. the files change and the server gets SIGHUP: the live session gets a
#      Serial Notify, asks with a Serial Query and prints exactly the
#      difference as announce (+) and withdraw (-) lines; its table is the
#      new set;
#   4. a fresh `rtrclient -e` prints the new set; rtrmod exits 0 on SIGTERM;
#   5. eight more live sessions, then four reloads signalled back to back:
#      all nine sessions end with exactly the last set, with no error;
#   6. version negotiation (RFC 8210 §7): a server run with -protocol 0
#      refuses RTRlib's v1 Reset Query with Unsupported Protocol Version;
#      RTRlib downgrades, reconnects at v0 and gets exactly the VRPs, and no
#      router key (a v1 PDU).
# The wanted sets come from tests/interop/vrps.py, which reads the JSON with
# Python's json and ipaddress modules.
# shellcheck source=tests/interop/lib.sh
. "$top_srcdir/tests/interop/lib.sh"

need_peer rtrclient stdbuf

source_files
cp "$tmp/b.json" "$tmp/b0.json" || exit 99
serve_start "$tmp/a.json" "$tmp/b.json"
expect_set "$tmp/want1.all" "$tmp/a.json" "$tmp/b.json"
grep -v '^aspa ' "$tmp/want1.all" >"$tmp/want1"
grep '^vrp ' "$tmp/want1" >"$tmp/want1.vrp"
say "serving $(grep -c '^vrp ' "$tmp/want1") VRPs ($(grep -c '^vrp .*:' "$tmp/want1") IPv6)," \
	"$(grep -c '^key ' "$tmp/want1") router keys, $(grep -c '^aspa ' "$tmp/want1.all") ASPAs"

# export RESULT: a one-shot `rtrclient -e` (it exits after its first sync).
export_table() {
	if timeout 30 rtrclient -e -t csv tcp 127.0.0.1 "$serve_port" \
		>"$tmp/$1.csv" 2>"$tmp/$1.err"; then
		"$python" "$vrps_py" rtrclient-csv "$tmp/$1.csv" >"$tmp/$1"
	else
		fail "rtrclient -e: exit status $? (stderr follows)"
		show "$tmp/$1.err" 20
		: >"$tmp/$1"
	fi
}

# ---- 1. one full sync, exported -------------------------------------------

export_table export1
same "rtrclient -e: the exported table is the served VRP set" "$tmp/want1.vrp" "$tmp/export1"

# ---- 2. a live session ----------------------------------------------------

spawn rtrclient stdbuf -oL -eL rtrclient -p -k -s tcp 127.0.0.1 "$serve_port"
client_pid=$spawned

# table_is WANT [SKIP]: the table replayed from the live log equals WANT.
table_is() {
	"$python" "$vrps_py" rtrclient-log "$tmp/rtrclient.log" >"$tmp/table" &&
		cmp -s "$1" "$tmp/table"
}
if ! wait_for 30 "live rtrclient: full sync" table_is "$tmp/want1"; then
	same "live rtrclient: table" "$tmp/want1" "$tmp/table"
fi
alive "$client_pid" || fail "rtrclient exited"
n_events=$(grep -Ec '^[+-] ' "$tmp/rtrclient.log")
grep -q 'RTR_ESTABLISHED' "$tmp/rtrclient.log" && ok "rtrclient: session established" ||
	fail "rtrclient: no RTR_ESTABLISHED status"

# RTRlib's debug lines (on stderr, so in the same log) tell what it parsed.
if grep -q 'RTR Socket:' "$tmp/rtrclient.log"; then
	want_timers="expire_interval:$rtr_expire, refresh_interval:$rtr_refresh, retry_interval:$rtr_retry"
	grep -q "New interval values: $want_timers" "$tmp/rtrclient.log" &&
		ok "rtrclient: End of Data timers ($want_timers)" ||
		fail "rtrclient: End of Data timers not '$want_timers'"
	want_rx="received $(grep -c '^vrp ' "$tmp/want1") Prefix PDUs, $(grep -c '^key ' "$tmp/want1") Router Key PDUs"
	grep -q "Sync successful, $want_rx" "$tmp/rtrclient.log" &&
		ok "rtrclient: full sync, $want_rx" ||
		fail "rtrclient: no 'Sync successful, $want_rx'"
else
	say "note: this RTRlib prints no debug lines; timers not checked"
fi

# ---- 3. the sources change; SIGHUP ----------------------------------------

edit_sources
serve_reload
expect_set "$tmp/want2.all" "$tmp/a.json" "$tmp/b.json"
grep -v '^aspa ' "$tmp/want2.all" >"$tmp/want2"
grep '^vrp ' "$tmp/want2" >"$tmp/want2.vrp"
# The delta the session must print: + for what is new, - for what went.
{
	comm -13 "$tmp/want1" "$tmp/want2" | sed 's/^/+ /'
	comm -23 "$tmp/want1" "$tmp/want2" | sed 's/^/- /'
} | sort >"$tmp/delta.want"
say "the change: $(grep -c '^+' "$tmp/delta.want") announced, $(grep -c '^-' "$tmp/delta.want") withdrawn"

if ! wait_for 30 "live rtrclient: incremental update after SIGHUP" table_is "$tmp/want2"; then
	same "live rtrclient: table after SIGHUP" "$tmp/want2" "$tmp/table"
fi
"$python" "$vrps_py" rtrclient-delta "$tmp/rtrclient.log" "$n_events" >"$tmp/delta.got"
same "live rtrclient: the update is exactly the difference" "$tmp/delta.want" "$tmp/delta.got"
if grep -q 'RTR Socket:' "$tmp/rtrclient.log"; then
	if [ "$server_kind" = rtrmod ]; then
		grep -q 'Serial Notify received' "$tmp/rtrclient.log" &&
			ok "rtrclient: got a Serial Notify" || fail "rtrclient: no Serial Notify"
	fi
	grep -q 'sending serial query' "$tmp/rtrclient.log" &&
		ok "rtrclient: updated with a Serial Query" || fail "rtrclient: sent no Serial Query"
	if grep -q -i 'Cache Reset\|Error' "$tmp/rtrclient.log"; then
		fail "rtrclient: a Cache Reset or Error Report"
		grep -i 'Cache Reset\|Error' "$tmp/rtrclient.log" | head -5 | sed 's/^/  | /'
	fi
fi
alive "$client_pid" && ok "rtrclient: session still up" || fail "rtrclient exited"

# ---- 4. a fresh session gets the new set ----------------------------------

export_table export2
same "rtrclient -e after SIGHUP: the new VRP set" "$tmp/want2.vrp" "$tmp/export2"

# ---- 5. many sessions, a burst of reloads ---------------------------------

# Eight more live sessions; then four versions of the files, each put in
# place and signalled at once, without waiting; every session must end on
# the last version, with no error (a delta the server got wrong across
# serials makes RTRlib refuse an announce of a present or a withdraw of an
# absent record).
fan=() fan_logs=("$tmp/rtrclient.log")
for i in 1 2 3 4 5 6 7 8; do
	spawn "fan$i" stdbuf -oL -eL rtrclient -p -k tcp 127.0.0.1 "$serve_port"
	fan+=("$spawned")
	fan_logs+=("$tmp/fan$i.log")
done
# all_are WANT LOG...: each LOG's replayed table is WANT.
all_are() {
	local want=$1 log
	shift
	for log in "$@"; do
		"$python" "$vrps_py" rtrclient-log "$log" >"$tmp/fan.table" 2>"$tmp/fan.err" &&
			cmp -s "$want" "$tmp/fan.table" || return 1
	done
}
wait_for 30 "8 more sessions: full sync" all_are "$tmp/want2" "${fan_logs[@]}"
for k in 1 2 3 4; do
	mkdir -p "$tmp/v$k"
	"$python" "$vrps_py" edit "$tmp/a.json" "$tmp/v$k/a.json" "$data/vrps/stayrtr_test.rpki.json" $((5 * k)) &&
		"$python" "$vrps_py" edit "$tmp/b0.json" "$tmp/v$k/b.json" "$data/vrps/gortr_test.rpki.json" "$k" ||
		exit 99
done
for k in 1 2 3 4; do
	for f in a b; do
		cp "$tmp/v$k/$f.json" "$tmp/$f.json.new" && mv "$tmp/$f.json.new" "$tmp/$f.json" || exit 99
	done
	serve_reload
done
expect_set "$tmp/want3.all" "$tmp/a.json" "$tmp/b.json"
grep -v '^aspa ' "$tmp/want3.all" >"$tmp/want3"
grep '^vrp ' "$tmp/want3" >"$tmp/want3.vrp"
if ! wait_for 30 "9 sessions: the last of 4 quick reloads" all_are "$tmp/want3" "${fan_logs[@]}"; then
	show "$tmp/fan.err" 5
	same "a session's table" "$tmp/want3" "$tmp/fan.table"
fi
if grep -l -E 'Error|RTR_ERROR|Cache Reset' "${fan_logs[@]}" >"$tmp/fan.bad"; then
	fail "rtrclient: an error or Cache Reset in $(wc -l <"$tmp/fan.bad") session(s)"
	xargs grep -h -E 'Error|RTR_ERROR|Cache Reset' <"$tmp/fan.bad" | head -n 5 | sed 's/^/  | /'
else
	ok "rtrclient: no error or Cache Reset in any session"
fi
for pid in "${fan[@]}" "$client_pid"; do
	stop "$pid" 5
	forget "$pid"
done
serve_stop

# ---- 6. a v0-only server: RTRlib downgrades -------------------------------

serve_args=(-protocol 0)
serve_start "$tmp/a.json" "$tmp/b.json"
spawn rtrclient-v0 stdbuf -oL -eL rtrclient -p -k -s tcp 127.0.0.1 "$serve_port"
client_pid=$spawned
table_v0_is() {
	"$python" "$vrps_py" rtrclient-log "$tmp/rtrclient-v0.log" >"$tmp/table" &&
		cmp -s "$1" "$tmp/table"
}
if ! wait_for 30 "rtrclient at v0: the VRPs, no router keys" table_v0_is "$tmp/want3.vrp"; then
	same "rtrclient at v0: table" "$tmp/want3.vrp" "$tmp/table"
fi
if [ "$server_kind" = rtrmod ]; then
	if grep -q 'RTR Socket:' "$tmp/rtrclient-v0.log"; then
		grep -q 'Downgrading from 1 to version 0' "$tmp/rtrclient-v0.log" &&
			ok "rtrclient: downgraded from version 1 to 0" ||
			fail "rtrclient: no downgrade from version 1 to 0"
	fi
	grep -q 'negotiated protocol version 0' "$tmp/serve.log" &&
		ok "rtrmod serve: session at version 0" || fail "rtrmod serve: no session at version 0"
fi
stop "$client_pid" 5
forget "$client_pid"
serve_stop
finish
