#!/bin/sh
# `rtrmod serve` end to end on loopback, queried with tests/tools/rtrq: full
# v0/v1/v2 syncs of the committed sample (data/vrps-sample.json), version 3
# refused, -cache twice served as a union, a file change + SIGHUP giving a
# new serial and the right delta to a Serial Query, a bad file after SIGHUP
# keeping the old set, stale data answered with No Data Available, SIGTERM
# ending with 0, and the command line's usage errors.  Servers take a free
# port (-bind 127.0.0.1:0, read back from the log) and are stopped by PID;
# every wait is bounded.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
rtrmod="$top_builddir/tools/rtrmod"
rtrq="$top_builddir/tests/tools/rtrq"
sample="$top_srcdir/data/vrps-sample.json"
tmp=$(mktemp -d)
pid=
fails=0

cleanup() {
	[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

pass() { echo "ok: $1"; }
fail() {
	echo "FAIL: $1"
	[ ! -f "${2:-/nonexistent}" ] || sed 's/^/  | /' "$2"
	fails=$((fails + 1))
}

# check DESCRIPTION COMMAND...: a test that passes when the command does.
check() {
	what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what" "$tmp/q"; fi
}

# start LOG ARGS...: start a server in the background and wait (at most
# 10 s) until it serves; sets pid and port.
start() {
	log=$1
	shift
	"$rtrmod" serve -bind 127.0.0.1:0 "$@" 2>"$log" &
	pid=$!
	port=
	i=0
	while [ "$i" -lt 100 ]; do
		if grep -q "serving serial" "$log"; then
			port=$(sed -n 's/.*listening on 127\.0\.0\.1 port \([0-9][0-9]*\)$/\1/p' "$log")
			[ -n "$port" ] && return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	fail "server did not start: $*" "$log"
	return 1
}

# stop SIGNAL: signal the server, wait at most 10 s; its exit status in $status.
stop() {
	kill "-$1" "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		echo "server did not stop on SIG$1"
	fi
	wait "$pid"
	status=$?
	pid=
}

# wait_log LOG PATTERN: at most 10 s until the log has the pattern.
wait_log() {
	i=0
	while [ "$i" -lt 100 ]; do
		grep -q -- "$2" "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# query ARGS...: rtrq against the running server, output in $tmp/q, exit in $rc.
query() {
	"$rtrq" -t 10 "$@" 127.0.0.1 "$port" >"$tmp/q" 2>&1
	rc=$?
}

# has PATTERN: the last query printed it.
has() { grep -q -- "$1" "$tmp/q"; }

# ---- the sample, in every version ------------------------------------------------

if start "$tmp/log1" -cache "$sample" -checktime=false; then
	query -v 1
	check "v1 full sync: 1999 VRPs and 2 router keys" \
		has "summary: pdus=2003 ipv4=1604 ipv6=395 router_key=2 aspa=0 notify=0 end=end-of-data"
	check "v1 End of Data carries StayRTR's default timers" \
		has "v1 End of Data session [0-9]* serial 0 refresh 3600 retry 600 expire 7200"
	query -v 0 -q
	check "v0 full sync: VRPs only (RFC 6810 has no router keys)" \
		has "summary: pdus=2001 ipv4=1604 ipv6=395 router_key=0 aspa=0 notify=0 end=end-of-data"
	query -v 2 -q
	check "v2 full sync: and the 100 ASPAs" \
		has "summary: pdus=2103 ipv4=1604 ipv6=395 router_key=2 aspa=100 notify=0 end=end-of-data"
	query -v 3
	check "v3 query exits 1 (Error Report)" test "$rc" -eq 1
	check "v3 gets Unsupported Protocol Version" has "Error Report Unsupported Protocol Version (4)"
	stop TERM
	check "SIGTERM: exit 0" test "$status" -eq 0
	check "SIGTERM logged" grep -q "SIGTERM: shutting down" "$tmp/log1"
fi

# ---- -cache twice: the union ----------------------------------------------------------

cat >"$tmp/extra.json" <<'EOF'
{"metadata": {"buildtime": "2025-07-20T10:01:43Z"},
 "roas": [
  {"asn": 13335, "prefix": "1.0.0.0/24", "maxLength": 24, "ta": "apnic"},
  {"asn": 64496, "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "test"}
 ]}
EOF
if start "$tmp/log2" --cache="$sample" -cache "$tmp/extra.json" --checktime=false \
	-rtr.refresh 900 -protocol 1; then
	query -v 1
	check "two -cache files: the union (one VRP in both)" \
		has "summary: pdus=2004 ipv4=1605 ipv6=395 router_key=2"
	check "the second file's VRP" has "v1 IPv4 Prefix announce 192.0.2.0/24 maxlen 24 AS64496"
	check "-rtr.refresh 900 in End of Data" has "serial 0 refresh 900 retry 600 expire 7200"
	query -v 2 -q
	check "-protocol 1: a v2 query is told to downgrade" \
		has "end=error-report"
	stop INT
	check "SIGINT: exit 0" test "$status" -eq 0
fi

# ---- file change + SIGHUP; then a bad file -------------------------------------------

cp "$sample" "$tmp/a.json"
if start "$tmp/log3" -cache "$tmp/a.json" -checktime=false -refresh=0; then
	query -v 1
	session=$(sed -n 's/.*End of Data session \([0-9]*\) serial 0 .*/\1/p' "$tmp/q")
	# one VRP goes, one comes
	sed -e '/"prefix": "1.38.14.0\/24"/d' \
		-e 's|^\t"roas": \[$|&\n\t\t{"asn": 64497, "prefix": "198.51.100.0/24", "maxLength": 24, "ta": "test"},|' \
		"$sample" >"$tmp/a.json"
	kill -HUP "$pid"
	check "SIGHUP: a new serial" wait_log "$tmp/log3" "cache: serial 1:"
	query -v 1 -s "$session" -n 0
	check "Serial Query from serial 0: End of Data" test "$rc" -eq 0
	check "the delta: one announcement, one withdrawal" has "summary: pdus=4 ipv4=2 ipv6=0"
	check "the delta announces the new VRP" \
		has "v1 IPv4 Prefix announce 198.51.100.0/24 maxlen 24 AS64497"
	check "the delta withdraws the old VRP" has "v1 IPv4 Prefix withdraw 1.38.14.0/24 maxlen 24 AS38266"
	check "the delta ends at serial 1" has "End of Data session $session serial 1 "
	query -v 1 -s "$session" -n 1
	check "Serial Query at the current serial: an empty delta" \
		has "summary: pdus=2 ipv4=0 ipv6=0 router_key=0 aspa=0 notify=0 end=end-of-data"

	printf '{"roas": [ {"prefix": ' >"$tmp/a.json"
	kill -HUP "$pid"
	check "SIGHUP with a broken file: logged as failed" wait_log "$tmp/log3" "refresh failed, still serving serial 1"
	query -v 1 -q
	check "the broken file: the old set is still served" \
		has "summary: pdus=2003 ipv4=1604 ipv6=395 router_key=2"
	check "the broken file: the server runs on" kill -0 "$pid"
	rm -f "$tmp/a.json"
	kill -HUP "$pid"
	check "SIGHUP with the file gone: logged" wait_log "$tmp/log3" "a.json: .*No such file"
	query -v 1 -q
	check "the file gone: the old set is still served" test "$rc" -eq 0
	stop TERM
	check "SIGTERM after reloads: exit 0" test "$status" -eq 0
fi

# ---- rtrmod's and StayRTR's other flags ------------------------------------------------

if start "$tmp/log5" -cache "$sample" -checktime=false -acl 192.0.2.0/24 -acl 2001:db8::/32; then
	query -v 1 -q
	check "-acl: a router outside it is refused" test "$rc" -eq 4
	check "-acl: the refusal is logged" grep -q "refused: not allowed by the ACL" "$tmp/log5"
	stop TERM
fi
if start "$tmp/log6" -cache="$sample" -checktime=0 -disable.aspa -disable.bgpsec=true \
	-send.timeout 500ms -history=4 -maxconn 8 -loglevel=debug -etag=false -mime text/json; then
	query -v 2 -q
	check "-disable.aspa -disable.bgpsec: VRPs only, in v2 too" \
		has "summary: pdus=2001 ipv4=1604 ipv6=395 router_key=0 aspa=0 notify=0 end=end-of-data"
	stop TERM
	check "SIGTERM with -loglevel=debug: exit 0" test "$status" -eq 0
fi

# ---- staleness ------------------------------------------------------------------------

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sed "s/\"buildtime\": \"2025-07-20T10:01:43Z\"/\"buildtime\": \"$now\"/" "$sample" >"$tmp/fresh.json"
if start "$tmp/log4" -cache "$tmp/fresh.json" -checktime.maxage 3; then
	query -v 1 -q
	check "fresh data with -checktime: served" test "$rc" -eq 0
	check "stale after the maximum age, without a refresh" \
		wait_log "$tmp/log4" "feed: the data in service expired"
	query -v 1
	check "stale data: a query exits 1" test "$rc" -eq 1
	check "stale data: No Data Available" has "Error Report No Data Available (2)"
	stop TERM
	check "SIGTERM while stale: exit 0" test "$status" -eq 0
fi

# ---- first loads that fail, and usage errors ------------------------------------------

"$rtrmod" serve -bind 127.0.0.1:0 -cache "$sample" >"$tmp/q" 2>&1
check "the 2025 sample with -checktime (the default): exit 1" test $? -eq 1
check "... with the reason" has "stale: built 2025-07-20T10:01:43Z"
"$rtrmod" serve -bind 127.0.0.1:0 -cache "$tmp/none.json" >"$tmp/q" 2>&1
check "a missing file: exit 1" test $? -eq 1
check "... naming it" has "none.json"
"$rtrmod" serve -bind 127.0.0.1:0 -cache "$sample" -checktime=false -slurm "$sample" \
	>"$tmp/q" 2>&1
check "a bad SLURM file at start: exit 1" test $? -eq 1
"$rtrmod" serve -cache "$sample" -frobnicate >"$tmp/q" 2>&1
check "an unknown flag: exit 2" test $? -eq 2
check "... named as Go names it" has "flag provided but not defined: -frobnicate"
check "... with the usage" has "usage: rtrmod serve"
"$rtrmod" serve -cache https://console.rpki-client.org/vrps.json >"$tmp/q" 2>&1
check "an HTTPS -cache: exit 2" test $? -eq 2
check "... not supported yet" has "not supported yet"
"$rtrmod" serve >"$tmp/q" 2>&1
check "no -cache: exit 2" test $? -eq 2
"$rtrmod" serve -cache "$sample" -rtr.expire 600 -rtr.refresh 3600 >"$tmp/q" 2>&1
check "expire not above refresh: exit 2 (RFC 8210 §6)" test $? -eq 2
"$rtrmod" serve -cache "$sample" -metrics.addr :9847 >"$tmp/q" 2>&1
check "an unsupported StayRTR flag: exit 2" test $? -eq 2
"$rtrmod" serve -cache "$sample" -checktime false >"$tmp/q" 2>&1
check "a Go boolean takes no separate value: exit 2" test $? -eq 2
"$rtrmod" serve -cache "$sample" -verify >"$tmp/q" 2>&1
check "-verify without a key: exit 2" test $? -eq 2
"$rtrmod" serve -bind 127.0.0.1 -cache "$sample" -checktime=false >"$tmp/q" 2>&1
check "-bind without a port: exit 2" test $? -eq 2
"$rtrmod" serve -bind "127.0.0.1:0,[::1:0" -cache "$sample" -checktime=false >"$tmp/q" 2>&1
check "-bind with a bad second address: exit 2" test $? -eq 2
"$rtrmod" serve -version >"$tmp/q" 2>&1
check "-version: exit 0" test $? -eq 0
check "-version prints it" has "^rtrmod serve [0-9]"
"$rtrmod" serve --help >"$tmp/q" 2>&1
check "--help: exit 0" test $? -eq 0

[ "$fails" -eq 0 ] && echo "serve: all passed"
exit $((fails != 0))
