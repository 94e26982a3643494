#!/usr/bin/env bash
# FRR bgpd's RPKI commands with this project's module (`bgpd -M rtrmod`,
# FRR_MODULE; FRR_MODULE=rpki runs them on FRR's stock module), each
# through `vtysh -c`, against `rtrmod serve` on committed real VRP data:
#   1. the show commands (prefix-table, as-number, prefix, cache-server,
#      cache-connection; text and json) list what is served;
#   2. the `rpki` node: cache (add, duplicate, remove, remove unknown),
#      polling_period, expire_interval (and its check against the polling
#      period), retry_interval and their `no` forms; `show running-config`
#      has the node exactly as entered, `write memory` writes it to bgpd's
#      config file, and a bgpd started again from that file has it too;
#   3. `debug rpki` and `no debug rpki` (enable and config mode), `rpki
#      reset` (enable mode and the rpki node), `rpki stop` and `rpki start`
#      (enable mode; the modes of FRR 8.4.4):
#      the session to the cache is made again and the table refilled;
#   4. with rtrmod, every output of 1-3 that the stock module also gives is
#      compared with what a second bgpd running the stock module prints for
#      the same commands at the same moment (texts with the rows sorted,
#      json parsed, and rtrmod's json has at least the stock's keys);
#   5. with rtrmod, `-M rtrmod -M rpki` (either order): bgpd runs on, rtrmod
#      logs that it stands aside, and the rpki commands are the stock ones;
#   6. with rtrmod: the module checked the installed frr package's version
#      (its log names it), and in a bgpd where dpkg says another Debian
#      revision is installed (the test hook RTRMOD_FRR_DPKG_STATUS) it stays
#      inactive, says so, and keeps the rpki node and `match rpki` for
#      `write memory`; so does it when dpkg's frr stanza names no installed
#      version (only its configuration files are left).
# Also with rtrmod only, in 2: an expire interval FRR takes but the core
# would not run (not larger than the polling period or the retry interval,
# RFC 8210 §6) is kept as written with a warning, the caches taking the
# smallest legal value, and a bgpd started from a file with such a line
# keeps it through `write memory`; `no rpki expire_interval` writes nothing
# below 600, and an `rpki cache` line the client refuses is kept in the
# configuration.
# shellcheck source=tests/interop/lib.sh
. "$top_srcdir/tests/interop/lib.sh"
# shellcheck source=tests/interop/frr_lib.sh
. "$top_srcdir/tests/interop/frr_lib.sh"

frr_need
source_files
expect_set "$tmp/want" "$tmp/a.json" "$tmp/b.json"
grep '^vrp ' "$tmp/want" >"$tmp/want.vrp"
serve_start "$tmp/a.json" "$tmp/b.json"
port2=$(free_port) || exit 99 # a second cache nothing listens on

# The node as bgpd is started with it, and as `show running-config` must
# give it back.
printf 'rpki\n rpki cache 127.0.0.1 %s preference 1\nexit\n' "$serve_port" >"$tmp/node0"
{
	echo "hostname rtrmod-frr-cli"
	echo "log stdout informational"
	cat "$tmp/node0"
} >"$tmp/bgpd.conf"
cp "$tmp/bgpd.conf" "$tmp/ref.conf" || exit 99
module_args
bgpd_start bgpd "$tmp/bgpd.conf" 0 "${modargs[@]}" || exit 1
say "peer: $(vt bgpd 'show version' | grep -m1 'FRRouting')"
if is_rtrmod && pkg=$(dpkg-query -W -f='${Version}' frr 2>/dev/null); then
	line=$(grep -m1 'RPKI module active' "$tmp/bgpd.log")
	if grep -qF "(package $pkg)" <<<"$line" && ! grep -q 'package version is unknown' "$tmp/bgpd.log"; then
		ok "bgpd: rtrmod checked the frr package version: ${line#*rtrmod }"
	else
		fail "bgpd: rtrmod did not check the frr package version $pkg: ${line:-no 'active' line}"
	fi
fi
# The reference: the stock module, for the outputs both must give alike.
ref=
if is_rtrmod; then
	bgpd_start ref "$tmp/ref.conf" 0 -M "$stock_so" || exit 1
	ref=ref
fi
synced() { connected "$1" "$serve_port" && table_is "$1" "$tmp/want.vrp"; }
for b in bgpd $ref; do
	wait_for 30 "$b: connected and synced" synced "$b" ||
		same "$b: prefix table" "$tmp/want.vrp" "$tmp/$b.table"
done

# sorted FILE: the file with its VRP rows sorted (the order of a table walk
# is the module's own), every other line in place.
sorted() {
	awk '/^[0-9a-f.:]+ +[0-9]+ - +[0-9]+ +[0-9]+ *$/ { rows[n++] = $0; next }
		{ if (n) { flush() } print }
		function flush() { cmd = "sort"; for (i = 0; i < n; i++) print rows[i] | cmd; close(cmd); n = 0 }
		END { if (n) flush() }' "$1"
}
# run NAME COMMAND...: the commands on the module under test, output in
# $tmp/out.sut, and on the reference in $tmp/out.ref.
run() {
	local what=$1
	shift
	vt bgpd "$@" >"$tmp/out.sut" 2>&1
	[ -z "$ref" ] || vt ref "$@" >"$tmp/out.ref" 2>&1
	cur=$what ran_ref=$ref
}
# like_ref: the text outputs are the same, rows sorted.
like_ref() {
	[ -n "$ran_ref" ] || return 0
	sorted "$tmp/out.ref" >"$tmp/out.ref.s"
	sorted "$tmp/out.sut" >"$tmp/out.sut.s"
	same "$cur: as the stock module prints it" "$tmp/out.ref.s" "$tmp/out.sut.s"
}
# like_ref_json [SUBSET]: the json outputs are equal (SUBSET: the stock
# module's keys, with their values, are all in rtrmod's), and have the same
# key paths (SUBSET: at least the stock module's).
like_ref_json() {
	[ -n "$ran_ref" ] || return 0
	if "$python" - "$tmp/out.ref" "$tmp/out.sut" "${1:-}" <<'EOF'; then
import json, sys
def canon(d):
    if isinstance(d, dict):
        return {k: canon(v) for k, v in d.items()}
    if isinstance(d, list):
        return sorted((canon(v) for v in d), key=lambda v: json.dumps(v, sort_keys=True))
    return d
ref, sut = (canon(json.load(open(p))) for p in sys.argv[1:3])
if sys.argv[3]:
    sut = {k: v for k, v in sut.items() if k in ref}
sys.exit(0 if ref == sut else 1)
EOF
		ok "$cur: the json is the stock module's"
	else
		fail "$cur: the json differs from the stock module's"
		sed 's/^/  | stock: /' "$tmp/out.ref" | head -n 20
		sed 's/^/  | sut:   /' "$tmp/out.sut" | head -n 20
	fi
	"$python" "$frr_py" keys "$tmp/out.ref" >"$tmp/keys.ref"
	"$python" "$frr_py" keys "$tmp/out.sut" >"$tmp/keys.sut"
	if [ -n "${1:-}" ]; then
		comm -23 "$tmp/keys.ref" "$tmp/keys.sut" >"$tmp/keys.missing"
		[ ! -s "$tmp/keys.missing" ] && ok "$cur: has every key of the stock module's json" ||
			fail "$cur: lacks the stock module's keys $(tr '\n' ' ' <"$tmp/keys.missing")"
	else
		same "$cur: the same json keys as the stock module's" "$tmp/keys.ref" "$tmp/keys.sut"
	fi
}
# has_lines WHAT FILE LINE...: FILE has these lines (whole lines).
has_lines() {
	local what=$1 file=$2 l missing=()
	shift 2
	for l in "$@"; do
		grep -qxF -- "$l" "$file" || missing+=("$l")
	done
	if [ "${#missing[@]}" -eq 0 ]; then
		ok "$what"
	else
		fail "$what: lacks '$(printf '%s' "${missing[0]}")' (and ${#missing[@]} in all)"
		sed 's/^/  | /' "$file" | head -n 30
	fi
}
# rows_are WHAT WANT FORMAT: the VRP rows of $tmp/out.sut (FORMAT text or
# json) are the `vrps.py set` lines of WANT.
rows_are() {
	"$python" "$frr_py" "$3-rows" "$tmp/out.sut" >"$tmp/rows.got" 2>&1
	same "$1" "$2" "$tmp/rows.got"
}

# ---- 1. show commands --------------------------------------------------------

run "show rpki prefix-table" 'show rpki prefix-table'
rows_are "$cur: the served VRPs" "$tmp/want.vrp" text
has_lines "$cur: title, header, counts" "$tmp/out.sut" "RPKI/RTR prefix table" \
	"$(printf '%-40s %s  %s' Prefix 'Prefix Length' Origin-AS)" \
	"Number of IPv4 Prefixes: $(grep -c '^vrp [^:]* ' "$tmp/want.vrp")" \
	"Number of IPv6 Prefixes: $(grep -c '^vrp .*:' "$tmp/want.vrp")"
like_ref
run "show rpki prefix-table json" 'show rpki prefix-table json'
rows_are "$cur: the served VRPs" "$tmp/want.vrp" json
like_ref_json

for asn in 13335 4200000000; do
	grep " $asn\$" "$tmp/want.vrp" >"$tmp/want.as"
	run "show rpki as-number $asn" "show rpki as-number $asn"
	rows_are "$cur: the VRPs of AS$asn ($(wc -l <"$tmp/want.as"))" "$tmp/want.as" text
	like_ref
	run "show rpki as-number $asn json" "show rpki as-number $asn json"
	rows_are "$cur: the VRPs of AS$asn" "$tmp/want.as" json
	like_ref_json
done

# Prefixes: a VRP's own, with and without its origin and another; IPv6; a
# prefix nothing covers.
for q in "1.0.0.0/24" "1.0.0.0/24 13335" "1.0.0.0/24 64496" "1.0.0.0/25 13335" \
	"2a09:bac0:443::/48 13335" "2a09:bac0:443::/48" "198.51.100.0/24 64496"; do
	read -r pfx asn <<<"$q"
	"$python" "$frr_py" prefix-rows "$tmp/want.vrp" "$pfx" "${asn:-0}" >"$tmp/want.pfx"
	run "show rpki prefix $q" "show rpki prefix $q"
	rows_are "$cur: the VRPs that cover it at that length$([ -z "$asn" ] || echo " from AS$asn") ($(wc -l <"$tmp/want.pfx"))" \
		"$tmp/want.pfx" text
	if [ -n "$ref" ]; then
		# rtrmod adds a validation line when an ASN is given: the rows
		# and the header compare.
		grep -v '^RPKI validation state of ' "$tmp/out.sut" >"$tmp/out.sut.rows"
		mv "$tmp/out.sut.rows" "$tmp/out.sut"
		like_ref
	fi
	run "show rpki prefix $q json" "show rpki prefix $q json"
	rows_are "$cur: the same VRPs" "$tmp/want.pfx" json
	like_ref_json subset
done

run "show rpki cache-server" 'show rpki cache-server'
has_lines "$cur" "$tmp/out.sut" "host: 127.0.0.1 port: $serve_port, preference: 1"
like_ref
run "show rpki cache-server json" 'show rpki cache-server json'
like_ref_json
run "show rpki cache-connection" 'show rpki cache-connection'
has_lines "$cur" "$tmp/out.sut" "Connected to group 1" "rpki tcp cache 127.0.0.1 $serve_port pref 1 (connected)"
like_ref
run "show rpki cache-connection json" 'show rpki cache-connection json'
like_ref_json

still_up bgpd

# ---- 2. the rpki node ---------------------------------------------------------

# node_is WHAT WANT: `show running-config`'s rpki node (and `debug rpki`)
# is WANT's lines exactly.
node_is() {
	vt bgpd 'show running-config' >"$tmp/running"
	"$python" "$frr_py" rpki-node "$tmp/running" >"$tmp/node"
	same "$1: 'show running-config' has the rpki node as entered" "$2" "$tmp/node"
	if [ -n "$ref" ]; then
		vt ref 'show running-config' >"$tmp/running.ref"
		"$python" "$frr_py" rpki-node "$tmp/running.ref" >"$tmp/node.ref"
		same "$1: the stock module writes the same node" "$tmp/node.ref" "$tmp/node"
	fi
}
# conf WHAT COMMAND...: the commands in the rpki node, on both.
conf() {
	local what=$1
	shift
	run "$what" 'configure terminal' 'rpki' "$@"
}
quiet() {
	if [ -s "$tmp/out.sut" ]; then
		fail "$cur: says $(head -n 3 "$tmp/out.sut" | tr '\n' ' ')"
	else
		ok "$cur: accepted"
	fi
	like_ref
}
node_is "as started" "$tmp/node0"

conf "rpki polling_period 60, expire_interval 1200, retry_interval 30" \
	'rpki polling_period 60' 'rpki expire_interval 1200' 'rpki retry_interval 30'
quiet
printf 'rpki\n rpki polling_period 60\n rpki retry_interval 30\n rpki expire_interval 1200\n rpki cache 127.0.0.1 %s preference 1\nexit\n' \
	"$serve_port" >"$tmp/node1"
node_is "timers set" "$tmp/node1"

conf "rpki cache 127.0.0.1 $port2 preference 2" "rpki cache 127.0.0.1 $port2 preference 2"
quiet
printf 'rpki\n rpki polling_period 60\n rpki retry_interval 30\n rpki expire_interval 1200\n rpki cache 127.0.0.1 %s preference 1\n rpki cache 127.0.0.1 %s preference 2\nexit\n' \
	"$serve_port" "$port2" >"$tmp/node2"
node_is "second cache" "$tmp/node2"
run "show rpki cache-server (two caches)" 'show rpki cache-server'
has_lines "$cur" "$tmp/out.sut" "host: 127.0.0.1 port: $serve_port, preference: 1" \
	"host: 127.0.0.1 port: $port2, preference: 2"
like_ref
run "show rpki cache-server json (two caches)" 'show rpki cache-server json'
like_ref_json
wait_for 10 "bgpd: still connected to the first cache" connected bgpd "$serve_port"
run "show rpki cache-connection (two caches)" 'show rpki cache-connection'
has_lines "$cur" "$tmp/out.sut" "Connected to group 1" "rpki tcp cache 127.0.0.1 $serve_port pref 1 (connected)" \
	"rpki tcp cache 127.0.0.1 $port2 pref 2"
like_ref

conf "rpki cache ... preference 2 again" "rpki cache 127.0.0.1 $port2 preference 2"
has_lines "$cur: refused" "$tmp/out.sut" "Cache with preference 2 is already configured"
like_ref
conf "no rpki cache ... preference 9 (none)" "no rpki cache 127.0.0.1 $port2 preference 9"
has_lines "$cur: refused" "$tmp/out.sut" "Could not find cache with preference 9"
like_ref
conf "no rpki cache ... preference 2" "no rpki cache 127.0.0.1 $port2 preference 2"
quiet
node_is "second cache removed" "$tmp/node1"

# node_sut WHAT WANT: the module under test's rpki node is WANT's lines.
node_sut() {
	vt bgpd 'show running-config' >"$tmp/running"
	"$python" "$frr_py" rpki-node "$tmp/running" >"$tmp/node"
	same "$1: 'show running-config' has the rpki node" "$2" "$tmp/node"
}
# sut WHAT COMMAND...: the commands in the rpki node of the module under
# test only, output in $tmp/out.sut.
sut() {
	local what=$1
	shift
	vtc bgpd 'rpki' "$@" >"$tmp/out.sut" 2>&1
	cur=$what ran_ref=
}
# node_with LINE...: node0 with LINEs before its cache line.
node_with() {
	{
		echo rpki
		printf '%s\n' "$@"
		sed -n '/^ rpki cache/p' "$tmp/node0"
		echo exit
	}
}

# rtrmod only: a line the client refuses (here an IPv6 cache with an IPv4
# source) stays in the configuration, not connected.
if is_rtrmod; then
	line=" rpki cache ::1 $port2 source 127.0.0.1 preference 3"
	sut "rpki cache ::1 $port2 source 127.0.0.1 preference 3 (refused by the client)" "${line# }"
	has_lines "$cur: says so" "$tmp/out.sut" "Could not create new rpki cache" \
		"% rtrmod: cache ::1 $port2 preference 3 is kept in the configuration but not connected"
	awk -v l="$line" '$0 == "exit" { print l } { print }' "$tmp/node1" >"$tmp/node.kept"
	node_sut "$cur" "$tmp/node.kept"
	vt bgpd 'show rpki cache-server' >"$tmp/out.sut" 2>&1
	has_lines "$cur: show rpki cache-server lists it" "$tmp/out.sut" "host: ::1 port: $port2, preference: 3"
	vt bgpd 'show rpki cache-server json' 'show rpki cache-connection' 'show rpki cache-connection json' >/dev/null 2>&1
	still_up bgpd
	vt bgpd 'write memory' >/dev/null 2>&1
	"$python" "$frr_py" rpki-node "$tmp/bgpd.conf" >"$tmp/node.file"
	same "$cur: write memory keeps it" "$tmp/node.kept" "$tmp/node.file"
	sut "no rpki cache ::1 $port2 ... preference 3" "no ${line# }"
	node_sut "$cur" "$tmp/node1"
fi

# write memory: bgpd's own file (vtysh's empty vtysh.conf: no frr.conf).
run "write memory" 'write memory'
grep -q "Configuration saved to $tmp/bgpd.conf" "$tmp/out.sut" &&
	ok "write memory: bgpd saved $tmp/bgpd.conf" || fail "write memory: $(tr '\n' ' ' <"$tmp/out.sut")"
"$python" "$frr_py" rpki-node "$tmp/bgpd.conf" >"$tmp/node.file"
same "write memory: the file has the rpki node as entered" "$tmp/node1" "$tmp/node.file"

conf "no rpki polling_period, no rpki expire_interval, no rpki retry_interval" \
	'no rpki polling_period' 'no rpki expire_interval' 'no rpki retry_interval'
quiet
node_is "timers back to their defaults" "$tmp/node0"
conf "rpki expire_interval 1200 (below the polling period, 3600)" 'rpki expire_interval 1200'
has_lines "$cur: refused" "$tmp/out.sut" "% Expiry interval must be polling period or larger"
like_ref
node_is "refused expire_interval" "$tmp/node0"

# rtrmod only: what the stock module takes but the core would not run.
if is_rtrmod; then
	# RFC 8210 §6: the expire interval is larger than the refresh (polling)
	# and retry intervals.  FRR 8.4 takes it equal to the polling period,
	# and at or below the retry interval: the line is kept as written (so
	# `write memory` keeps it), and the caches run the smallest legal value.
	taken() {
		if [ "$(grep -c 'not taken' "$tmp/bgpd.log")" -eq "$refused" ]; then
			ok "$cur: the cache took the timers"
		else
			fail "$cur: $(grep 'not taken' "$tmp/bgpd.log" | tail -n 1)"
		fi
	}
	refused=$(grep -c 'not taken' "$tmp/bgpd.log")
	sut "rpki polling_period 300, rpki expire_interval 600 (the retry interval, 600)" \
		'rpki polling_period 300' 'rpki expire_interval 600'
	has_lines "$cur: kept, with a warning" "$tmp/out.sut" \
		"% rtrmod: expire interval 600 is not larger than the polling period (300) and the retry interval (600) (RFC 8210 section 6): kept as written, the caches run 601"
	grep -q 'rpki expire_interval 600 is not larger .*the caches run 601 s' "$tmp/bgpd.log" &&
		ok "$cur: logged" || fail "$cur: no log line about the expire interval run"
	node_with ' rpki polling_period 300' ' rpki expire_interval 600' >"$tmp/node.x"
	node_sut "$cur" "$tmp/node.x"
	taken
	sut "no rpki polling_period, rpki expire_interval 3600 (the polling period)" \
		'no rpki polling_period' 'rpki expire_interval 3600'
	has_lines "$cur: kept, with a warning" "$tmp/out.sut" \
		"% rtrmod: expire interval 3600 is not larger than the polling period (3600) and the retry interval (600) (RFC 8210 section 6): kept as written, the caches run 3601"
	node_with ' rpki expire_interval 3600' >"$tmp/node.x"
	node_sut "$cur" "$tmp/node.x"
	taken
	sut "rpki retry_interval 7200, rpki expire_interval 5000 (below the retry interval)" \
		'rpki retry_interval 7200' 'rpki expire_interval 5000'
	has_lines "$cur: kept, with a warning" "$tmp/out.sut" \
		"% rtrmod: expire interval 5000 is not larger than the polling period (3600) and the retry interval (7200) (RFC 8210 section 6): kept as written, the caches run 7201"
	node_with ' rpki retry_interval 7200' ' rpki expire_interval 5000' >"$tmp/node.r"
	node_sut "$cur" "$tmp/node.r"
	taken
	sut "no rpki retry_interval, no rpki expire_interval" 'no rpki retry_interval' 'no rpki expire_interval'
	node_sut "$cur" "$tmp/node0"
	# Read from a file: a bgpd started with the line keeps it as written,
	# connects (its cache took the timers) and writes it back.
	node_with ' rpki polling_period 300' ' rpki expire_interval 600' >"$tmp/node.x"
	{
		echo "hostname rtrmod-expire"
		echo "log stdout informational"
		cat "$tmp/node.x"
	} >"$tmp/expire.conf"
	module_args
	if bgpd_start expire "$tmp/expire.conf" 0 "${modargs[@]}"; then
		cur="bgpd started with 'rpki expire_interval 600'"
		wait_for 30 "$cur: connected and synced" synced expire
		grep -q 'not taken' "$tmp/expire.log" &&
			fail "$cur: $(grep -m1 'not taken' "$tmp/expire.log")" ||
			ok "$cur: the cache took the timers"
		vt expire 'show running-config' >"$tmp/running"
		"$python" "$frr_py" rpki-node "$tmp/running" >"$tmp/node"
		same "$cur: 'show running-config' keeps the line" "$tmp/node.x" "$tmp/node"
		vt expire 'write memory' >/dev/null 2>&1
		"$python" "$frr_py" rpki-node "$tmp/expire.conf" >"$tmp/node.file"
		same "$cur: write memory keeps the line" "$tmp/node.x" "$tmp/node.file"
		bgpd_stop expire
	else
		show "$tmp/expire.log" 20
	fi
	# `no rpki expire_interval` is twice the polling period, but never below
	# 600 nor at or below the retry interval: FRR writes `rpki
	# expire_interval 200` here, a line it refuses to read back.
	sut "rpki polling_period 100, no rpki expire_interval" 'rpki polling_period 100' 'no rpki expire_interval'
	node_with ' rpki polling_period 100' ' rpki expire_interval 601' >"$tmp/node.e"
	node_sut "$cur" "$tmp/node.e"
	taken
	sut "no rpki polling_period, no rpki expire_interval" 'no rpki polling_period' 'no rpki expire_interval'
	node_sut "$cur" "$tmp/node0"
fi

still_up bgpd

# ---- 3. debug, reset, stop, start --------------------------------------------

for mode in enable config; do
	if [ "$mode" = enable ]; then pre=(); else pre=('configure terminal'); fi
	run "debug rpki ($mode)" "${pre[@]}" 'debug rpki'
	quiet
	printf 'debug rpki\n' | cat - "$tmp/node0" >"$tmp/node.debug"
	node_is "debug rpki ($mode)" "$tmp/node.debug"
	run "no debug rpki ($mode)" "${pre[@]}" 'no debug rpki'
	quiet
	node_is "no debug rpki ($mode)" "$tmp/node0"
done

# The module under test first, alone, then the reference: the sessions
# `rtrmod serve` logs are the test's bgpd's.
sessions() { grep -c 'connected (tcp)' "$tmp/serve.log"; }
closed() { grep -c 'disconnected:' "$tmp/serve.log"; }
more() { [ "$("$1")" -gt "$2" ]; }
# reconnected WHAT N: the command WHAT just run on bgpd alone (its output
# in $tmp/out.sut) said nothing, and a session past the N before it came
# and synced.
reconnected() {
	cur=$1 ran_ref=
	quiet
	wait_for 10 "$1: a new session with the cache" more sessions "$2"
	wait_for 30 "bgpd: connected and synced again after '$1'" synced bgpd
}
n0=$(sessions)
vt bgpd 'rpki reset' >"$tmp/out.sut" 2>&1
reconnected "rpki reset" "$n0"
# `rpki reset` is also a command of the rpki node.
n0=$(sessions)
vtc bgpd 'rpki' 'rpki reset' >"$tmp/out.sut" 2>&1
reconnected "rpki reset (rpki node)" "$n0"
if [ -n "$ref" ]; then
	vt ref 'rpki reset' >/dev/null 2>&1
	wait_for 30 "ref: connected and synced again after 'rpki reset'" synced ref
fi

# After `rpki stop` FRR 8.4.4's stock module frees its RTRlib state but
# still says it is synchronized: a show command then crashes bgpd.  The
# module under test is asked; the reference is not.
n0=$(closed) n1=$(sessions)
vt bgpd 'rpki stop' >"$tmp/out.sut" 2>&1
cur="rpki stop" ran_ref=
quiet
wait_for 10 "rpki stop: the session with the cache is closed" more closed "$n0"
sleep 1
[ "$(sessions)" -eq "$n1" ] && ok "rpki stop: no new session" || fail "rpki stop: bgpd connects again"
if is_rtrmod; then
	vt bgpd 'show rpki cache-connection' >"$tmp/out.sut" 2>&1
	has_lines "rpki stop: show rpki cache-connection" "$tmp/out.sut" "No connection to RPKI cache server."
	vt bgpd 'show rpki prefix-table' >"$tmp/out.sut" 2>&1
	has_lines "rpki stop: show rpki prefix-table" "$tmp/out.sut" "No connection to RPKI cache server."
	vt bgpd 'show rpki cache-connection json' >"$tmp/out.sut" 2>&1
	"$python" -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1])) == {} else 1)' "$tmp/out.sut" 2>/dev/null &&
		ok "rpki stop: show rpki cache-connection json is {}" ||
		fail "rpki stop: show rpki cache-connection json: $(tr -d '\n' <"$tmp/out.sut")"
	still_up bgpd
	ok "rpki stop: bgpd runs on"
else
	say "note: the stock module is not asked anything between 'rpki stop' and 'rpki start' (it would crash)"
fi
vt bgpd 'rpki start' >"$tmp/out.sut" 2>&1
reconnected "rpki start" "$n1"
if [ -n "$ref" ]; then
	vt ref 'rpki stop' >/dev/null 2>&1
	vt ref 'rpki start' >/dev/null 2>&1
	wait_for 30 "ref: connected and synced again after 'rpki stop', 'rpki start'" synced ref
fi

still_up bgpd

# ---- the config file round trip ----------------------------------------------

bgpd_stop bgpd
module_args
bgpd_start bgpd "$tmp/bgpd.conf" 0 "${modargs[@]}" || exit 1
node_is_1() {
	vt bgpd 'show running-config' >"$tmp/running"
	"$python" "$frr_py" rpki-node "$tmp/running" >"$tmp/node"
	same "bgpd started again from the saved file: 'show running-config' has the node" "$tmp/node1" "$tmp/node"
}
node_is_1
wait_for 30 "bgpd started again: connected and synced" synced bgpd

# ---- 5. both modules ---------------------------------------------------------

if is_rtrmod; then
	n=0
	for order in "rtrmod rpki" "rpki rtrmod"; do
		n=$((n + 1))
		args=(--moduledir "$frr_module_dir")
		for m in $order; do
			if [ "$m" = rpki ]; then args+=(-M "$stock_so"); else args+=(-M rtrmod); fi
		done
		name=both$n
		cp "$tmp/ref.conf" "$tmp/$name.conf" || exit 99
		if ! bgpd_start "$name" "$tmp/$name.conf" 0 "${args[@]}"; then
			fail "-M ${order// / -M }: bgpd does not run"
			show "$tmp/$name.log" 20
			continue
		fi
		ok "-M ${order// / -M }: bgpd runs"
		line=$(grep -i 'rtrmod' "$tmp/$name.log" | grep -iE -- '-M rpki|rpki module' | head -n 1)
		[ -n "$line" ] && ok "-M ${order// / -M }: rtrmod says: ${line#*rtrmod: }" ||
			fail "-M ${order// / -M }: no log line of rtrmod about the stock module"
		wait_for 30 "-M ${order// / -M }: the rpki commands work: connected and synced" synced "$name"
		# The stock module's answer, not rtrmod's (which adds a line).
		vt "$name" 'show rpki prefix 1.0.0.0/24 64496' >"$tmp/out.sut" 2>&1
		vt ref 'show rpki prefix 1.0.0.0/24 64496' >"$tmp/out.ref" 2>&1
		cur="-M ${order// / -M }: show rpki prefix 1.0.0.0/24 64496"
		same "$cur: the stock module's answer" "$tmp/out.ref" "$tmp/out.sut"
		vt "$name" 'show rpki cache-connection' >"$tmp/out.sut" 2>&1
		grep -q '% Ambiguous\|% Unknown' "$tmp/out.sut" &&
			fail "-M ${order// / -M }: show rpki cache-connection: $(head -n 1 "$tmp/out.sut")"
		alive "${bgpd_pids[$name]}" && ok "-M ${order// / -M }: bgpd still runs" ||
			fail "-M ${order// / -M }: bgpd is gone"
		bgpd_stop "$name"
	done
fi

# ---- 6. rtrmod only: another Debian revision of FRR installed ----------------

if is_rtrmod; then
	# A dpkg status file (the test hook RTRMOD_FRR_DPKG_STATUS) where frr is
	# another revision of the same upstream version, between two others.
	{
		printf 'Package: frr-doc\nStatus: install ok installed\nVersion: 8.4.4-1.1~deb12u2\n\n'
		printf 'Package: frr\nStatus: install ok installed\nPriority: optional\n'
		printf 'Version: 8.4.4-1.1~deb12u99\nDescription: FRRouting\n %0600d\n\n' 0
		printf 'Package: frr-pythontools\nStatus: install ok installed\nVersion: 8.4.4-1.1~deb12u2\n'
	} >"$tmp/dpkg-status"
	{
		echo "hostname rtrmod-other"
		echo "log stdout informational"
		cat "$tmp/node0"
		printf 'route-map RPKI deny 10\n match rpki invalid\nexit\nroute-map RPKI permit 20\nexit\n'
	} >"$tmp/other.conf"
	module_args
	bgpd_env=(RTRMOD_FRR_DPKG_STATUS="$tmp/dpkg-status")
	if bgpd_start other "$tmp/other.conf" 0 "${modargs[@]}"; then
		line=$(grep -m1 'built against the source of the frr package' "$tmp/other.log")
		if grep -q 'but frr 8.4.4-1.1~deb12u99 is installed' <<<"$line" &&
			grep -q 'RPKI origin validation is OFF' "$tmp/other.log"; then
			ok "frr package 8.4.4-1.1~deb12u99: rtrmod stays inactive: ${line#*rtrmod: }"
		else
			fail "frr package 8.4.4-1.1~deb12u99: rtrmod does not say it stays inactive"
			grep rtrmod "$tmp/other.log" | head -n 5 | sed 's/^/  | /'
		fi
		vt other 'show running-config' >"$tmp/other.running"
		"$python" "$frr_py" rpki-node "$tmp/other.running" >"$tmp/other.node"
		same "inactive: 'show running-config' keeps the rpki node" "$tmp/node0" "$tmp/other.node"
		grep -A1 '^route-map RPKI deny 10' "$tmp/other.running" | grep -qx ' match rpki invalid' &&
			ok "inactive: 'route-map RPKI deny 10' keeps ' match rpki invalid'" ||
			fail "inactive: ' match rpki invalid' is not kept: $(grep -A2 '^route-map RPKI deny' "$tmp/other.running" | tr '\n' '|')"
		vt other 'rpki start' >"$tmp/out.sut" 2>&1
		has_lines "inactive: rpki start" "$tmp/out.sut" "% rtrmod is inactive in this bgpd (see its log): RPKI is off"
		vt other 'write memory' >/dev/null 2>&1
		"$python" "$frr_py" rpki-node "$tmp/other.conf" >"$tmp/other.node"
		same "inactive: write memory keeps the rpki node" "$tmp/node0" "$tmp/other.node"
		bgpd_stop other
	else
		show "$tmp/other.log" 20
	fi
	# An frr stanza that names no installed version (removed, its
	# configuration files kept; the version is the built one): dpkg
	# manages FRR but cannot say which build this bgpd is: inactive.
	built=$(sed -n 's/^FRR_PACKAGE_VERSION = //p' "$top_builddir/Makefile")
	printf 'Package: frr\nStatus: deinstall ok config-files\nVersion: %s\n' "$built" >"$tmp/dpkg-status"
	module_args
	bgpd_env=(RTRMOD_FRR_DPKG_STATUS="$tmp/dpkg-status")
	if bgpd_start gone "$tmp/other.conf" 0 "${modargs[@]}"; then
		line=$(grep -m1 'dpkg names no version of frr' "$tmp/gone.log")
		if grep -q 'its Status is "deinstall ok config-files"' <<<"$line" &&
			grep -q 'RPKI origin validation is OFF' "$tmp/gone.log"; then
			ok "frr config-files only: rtrmod stays inactive: ${line#*rtrmod: }"
		else
			fail "frr config-files only: rtrmod does not say it stays inactive: ${line:-no line}"
		fi
		bgpd_stop gone
	else
		show "$tmp/gone.log" 20
	fi
fi

for b in bgpd $ref; do
	bgpd_stop "$b"
done
serve_stop
finish
