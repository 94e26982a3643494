#!/usr/bin/env bash
# The main job rtrmod does, end to end on a fresh machine: install what is
# needed, build, then run `rtrmod serve` (the standalone RTR cache, in place
# of StayRTR) on the bundled real VRPs and show a real router-side client,
# RTRlib's rtrclient, receiving them: the full set, then a change pushed by
# Serial Notify after SIGHUP.  Everything runs on 127.0.0.1 and every wait
# is bounded; the server and client are stopped by PID at the end.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh
[ -x configure ] || autoreconf -fi
mkdir -p "${BUILD_DIR:=build}"
cd "$BUILD_DIR"
[ -f Makefile ] || "$top/configure" -q
make -s -j"$(nproc 2>/dev/null || echo 2)" tools/rtrmod
rtrmod=$PWD/tools/rtrmod

work=$(mktemp -d)
server="" client=""
cleanup() {
	for p in $client $server; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# stop PID: SIGTERM, then at most 10 s for it to go; its exit status.
stop() {
	local _
	kill -TERM "$1" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null
}

# wait_for WHAT FILE COMMAND...: poll COMMAND (at most 10 s) until it succeeds.
wait_for() {
	local what=$1 file=$2 _
	shift 2
	for _ in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	echo "demo: timed out waiting for $what" >&2
	sed 's/^/  | /' "$file" >&2
	exit 1
}

# The server works on a copy, so that the demo can change it.
cp "$top/data/vrps-sample.json" "$work/vrps.json"

echo
echo "== rtrmod serve on data/vrps-sample.json (1,999 real VRPs, 2 router keys, 100 ASPAs"
echo "   of 2025-07-20).  -checktime=false: the snapshot was built in 2025, and with"
echo "   time checks on (the default, as in StayRTR) a file older than 24 hours is refused."
"$rtrmod" serve -bind 127.0.0.1:0 -cache "$work/vrps.json" -checktime=false 2>"$work/server.log" &
server=$!
wait_for "the server" "$work/server.log" grep -q "serving serial" "$work/server.log"
port=$(sed -n 's/.*listening on 127\.0\.0\.1 port \([0-9][0-9]*\)$/\1/p' "$work/server.log")
sed 's/^/  server | /' "$work/server.log"

echo
echo "== rtrclient (RTRlib) connects as a router: rtrclient -p tcp 127.0.0.1 $port"
stdbuf -oL rtrclient -p tcp 127.0.0.1 "$port" >"$work/client.out" 2>"$work/client.err" &
client=$!
prefixes() { awk '$1 == "+" && NF == 6' "$work/client.out" | wc -l; }
synced() { [ "$(prefixes)" -ge 1999 ]; }
wait_for "the full set" "$work/client.err" synced
head -n 11 "$work/client.out" | sed 's/^/  client | /'
echo "  client | ... ($(prefixes) prefixes in all)"
v4=$(awk '$1 == "+" && NF == 6 && $2 !~ /:/' "$work/client.out" | wc -l)
v6=$(awk '$1 == "+" && NF == 6 && $2 ~ /:/' "$work/client.out" | wc -l)
echo
echo "== summary: rtrclient holds $v4 IPv4 + $v6 IPv6 = $((v4 + v6)) prefixes;"
echo "   the file has $(grep -c '"prefix"' "$work/vrps.json")."
grep -h "Sync successful" "$work/client.err" "$work/client.out" | sed 's/^.*RTR Socket: /  client | /' || true

echo
echo "== The file changes (one VRP withdrawn, one added) and the server gets SIGHUP:"
sed -i -e '/"prefix": "1.38.14.0\/24"/d' \
	-e 's|^\t"roas": \[$|&\n\t\t{"asn": 64497, "prefix": "198.51.100.0/24", "maxLength": 24, "ta": "demo"},|' \
	"$work/vrps.json"
lines=$(wc -l <"$work/server.log")
kill -HUP "$server"
wait_for "the withdrawal" "$work/client.out" grep -q '^- ' "$work/client.out"
wait_for "the announcement" "$work/client.out" grep -q '^+ 198.51.100.0 ' "$work/client.out"
tail -n +"$((lines + 1))" "$work/server.log" | sed 's/^/  server | /'
grep -E '^(- |\+ 198\.51\.100\.0 )' "$work/client.out" | sed 's/^/  client | /'

echo
echo "== Stopping the client and the server (SIGTERM: a clean exit 0)."
stop "$client" || true
client=
status=0
stop "$server" || status=$?
server=
echo "rtrmod serve exited with status $status"
[ "$status" -eq 0 ]
