#!/bin/sh
# `rtrmod dump` end to end on loopback: a tiny in-tree cache
# (tests/tools/rtr_serve_once, rtrmod_cache on committed data) serves a
# JSON file; the dump must hold the same records (loaded back with
# rtrmod_source: the round trip), for each protocol version, from -serial,
# and fail with a clear message and exit 1 when it cannot sync.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
rtrmod="$top_builddir/tools/rtrmod"
serve="$top_builddir/tests/tools/rtr_serve_once"
data="$top_srcdir/tests/data/vrps/rpki-client_sample.json"
tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0

ok() { echo "ok: $1"; }
bad() {
	echo "FAIL: $1"
	[ -f "$tmp/err" ] && sed 's/^/  | /' "$tmp/err"
	fails=$((fails + 1))
}

# start NAME ARGS...: run the server in the background, wait (bounded) for
# its port file, and set $port.
start() {
	name=$1
	shift
	"$serve" "$@" &
	pids="$pids $!"
	i=0
	while [ ! -s "$tmp/$name.port" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	port=$(cat "$tmp/$name.port" 2>/dev/null)
	[ -n "$port" ] || { echo "FAIL: server $name did not start"; exit 1; }
}

# expect STATUS DESCRIPTION COMMAND...
expect() {
	want=$1 what=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$what"; else bad "$what: exit $got, wanted $want"; fi
}

start main serve "$data" "$tmp/main.port" 30

for v in 2 1 0; do
	expect 0 "dump v$v" "$rtrmod" dump -connect "127.0.0.1:$port" -file "$tmp/v$v.json" \
		-rtr.version "$v" -timeout 10
	expect 0 "v$v dump loads back and equals the served set" \
		"$serve" compare "$data" "$tmp/v$v.json" "$v"
done
grep -q '"session_id"' "$tmp/v2.json" && grep -q '"buildtime"' "$tmp/v2.json" &&
	grep -q '"serial"' "$tmp/v2.json" && ok "metadata has session_id, serial, buildtime" ||
	bad "metadata lacks session_id, serial or buildtime"

# GNU spellings, and standard output.
expect 0 "dump --connect to standard output" "$rtrmod" dump --connect "localhost:$port" --timeout 10
cp "$tmp/out" "$tmp/stdout.json"
expect 0 "standard output equals the served set" "$serve" compare "$data" "$tmp/stdout.json" 2

# An incremental dump from the current serial holds nothing new.
sid=$(sed -n 's/.*"session_id": \([0-9]*\).*/\1/p' "$tmp/v2.json")
serial=$(sed -n 's/.*"serial": \([0-9]*\).*/\1/p' "$tmp/v2.json")
expect 0 "dump -serial from the current serial" "$rtrmod" dump -connect "127.0.0.1:$port" \
	-serial -serial.value "$serial" -session.id "$sid" -file "$tmp/inc.json" -timeout 10
grep -q '"roas": \[\]' "$tmp/inc.json" && ok "incremental dump is empty" ||
	bad "incremental dump is not empty"
# From another session: Cache Reset, then the whole set.
expect 0 "dump -serial of an unknown session" "$rtrmod" dump -connect "127.0.0.1:$port" \
	-serial -serial.value 1 -session.id $(((sid + 1) % 65536)) -file "$tmp/reset.json" -timeout 10
expect 0 "... which falls back to the whole set" "$serve" compare "$data" "$tmp/reset.json" 2

# A v1-only cache: the v2 dump negotiates down (RFC 8210 §7).
start v1 serve "$data" "$tmp/v1.port" 30 1
expect 0 "dump negotiates down to a v1 cache" "$rtrmod" dump -connect "127.0.0.1:$port" \
	-file "$tmp/neg.json" -timeout 10
grep -q '"rtr_version": 1' "$tmp/neg.json" && ok "negotiated version 1" || bad "not version 1"
expect 0 "negotiated dump equals the served set" "$serve" compare "$data" "$tmp/neg.json" 1

# Failures: exit 1 with a message.
start mute mute "$tmp/mute.port" 30
expect 1 "timeout against a cache that never answers" "$rtrmod" dump \
	-connect "127.0.0.1:$port" -timeout 1
grep -q "timed out" "$tmp/err" && ok "timeout is named" || bad "timeout not named"
kill $(echo $pids | awk '{print $1}') 2>/dev/null
sleep 0.2
mainport=$(cat "$tmp/main.port")
expect 1 "connection refused" "$rtrmod" dump -connect "127.0.0.1:$mainport" -timeout 5
grep -q "127.0.0.1:$mainport" "$tmp/err" && ok "failure names the cache" || bad "cache not named"
expect 2 "dump without -connect" "$rtrmod" dump
expect 2 "dump with a bad -rtr.version" "$rtrmod" dump -connect 127.0.0.1:1 -rtr.version 3
expect 2 "dump with a bad address" "$rtrmod" dump -connect nocolon
expect 0 "dump --help" "$rtrmod" dump --help

[ "$fails" -eq 0 ] && echo "dump: all passed"
exit $((fails != 0))
