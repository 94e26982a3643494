#!/usr/bin/env bash
# FRR bgpd with this project's RPKI module (`bgpd -M rtrmod`, FRR_MODULE;
# FRR_MODULE=rpki runs the same checks on FRR's stock module) against
# `rtrmod serve`, and ExaBGP as the BGP peer, all on loopback:
#   1. bgpd loads the module (`show modules`), connects to the cache
#      (`show rpki cache-connection`, text and json), and `show rpki
#      prefix-table` (text and json) is exactly the served set;
#   2. ExaBGP announces over an IPv4 session (127.0.0.2) and an IPv6 one
#      (::1) a route of each outcome per family: valid; invalid by origin,
#      by max length, by both, by AS0; not found.  Each route's
#      rpkiValidationState (`show bgp ipvX unicast PFX json`) is the
#      state RFC 6811 gives it (frr.py), `show rpki prefix PFX ASN` lists
#      the VRPs that make it valid, and rtrmod's gives the reason for each
#      invalid one;
#   3. the route-map `match rpki invalid` -> deny, `permit 20` for the
#      rest, applied inbound without soft-reconfiguration: exactly the
#      invalid routes leave the table;
#   4. the served VRPs change (file rewritten, SIGHUP): a not-found route
#      becomes invalid and leaves, an invalid one becomes valid and comes
#      back, within 30 s (the time is printed).  Still no soft
#      reconfiguration with rtrmod; FRR's stock module needs it (it
#      re-validates only what Adj-RIB-In keeps), so with FRR_MODULE=rpki it
#      is turned on first, unless FRR_SOFT_RECONFIG=off;
#   4b. rtrmod only (route refreshes at most once per peer/AFI in 20 s,
#      the test hook RTRMOD_FRR_REFRESH_INTERVAL; 300 s built in): two VRP
#      changes 2 s apart that each make an invalid route valid send the
#      peer one route refresh at most, and exactly one more once the
#      interval is up, which brings both routes back; the peer is told
#      once in the log to use soft-reconfiguration inbound;
#   4c. rtrmod only: a change of one VRP walks one prefix range and
#      re-announces nothing and re-runs no best path (the table version
#      stays) while no outbound policy looks at the state; with an outbound
#      route-map matching on it, the walk re-announces the route;
#   4d. rtrmod only: a second cache (preference 2) that has no server, and
#      the first one removed: the route states stay as they were (the
#      client holds the removed cache's table) instead of flapping;
#   5. rtrmod only: a bgpd started with `-M rtrmod:CONFIG.json` (a YANG
#      configuration with a cache-server listener) serves the VRPs it got
#      from its own cache over RTR, and RTRlib's rtrclient syncs exactly
#      them; then the same from a bgpd that drops its privileges to user
#      frr, as a packaged one does, listening on port 323 (or another free
#      port below 1024: bgpd must raise CAP_NET_BIND_SERVICE for it);
#   6. rtrmod only: a module that stays inactive because dpkg says another
#      Debian revision of this FRR is unpacked (mid-upgrade: "install ok
#      unpacked"; the test hook RTRMOD_FRR_DPKG_STATUS) logs why, still
#      accepts the rpki node and `match rpki`, which never matches:
#      `route-map deny 10 / match rpki invalid` + `permit 20` lets a second
#      ExaBGP's routes in (without the match clause the entry would deny
#      them all); in a bgpd of another upstream FRR (the test hook
#      RTRMOD_FRR_FAKE_VERSION) it installs nothing (its CLI is built on
#      this FRR's headers) and logs what that does to `match rpki`.
# shellcheck source=tests/interop/lib.sh
. "$top_srcdir/tests/interop/lib.sh"
# shellcheck source=tests/interop/frr_lib.sh
. "$top_srcdir/tests/interop/frr_lib.sh"

frr_need exabgp rtrclient
if [ -z "$have_v6" ]; then
	if [ "${CI:-}" = true ]; then
		say "ERROR: ::1 does not work here; the IPv6 session needs it"
		exit 99
	fi
	say "note: no IPv6 loopback here; the IPv6 session is left out"
fi
soft=${FRR_SOFT_RECONFIG:-}
[ -n "$soft" ] || if is_rtrmod; then soft=off; else soft=on; fi

# ---- the data -------------------------------------------------------------

source_files
"$python" "$frr_py" cases "$tmp" || exit 99
cp "$tmp/c1.json" "$tmp/c.json" || exit 99
expect_set "$tmp/want1" "$tmp/a.json" "$tmp/b.json" "$tmp/c1.json"
expect_set "$tmp/want2" "$tmp/a.json" "$tmp/b.json" "$tmp/c2.json"
grep '^vrp ' "$tmp/want1" >"$tmp/want1.vrp"
grep '^vrp ' "$tmp/want2" >"$tmp/want2.vrp"
if [ -z "$have_v6" ]; then
	grep -v ':' "$tmp/routes" >"$tmp/routes.v4" && mv "$tmp/routes.v4" "$tmp/routes" || exit 99
fi
# What each route is under each set; the cases must be what they are meant
# to be (a VRP of the real data covering one would spoil it).
for n in 1 2; do
	"$python" "$frr_py" expect "$tmp/want$n.vrp" "$tmp/routes" >"$tmp/expect$n" &&
		"$python" "$frr_py" check-kinds "$tmp/expect$n" "$tmp/routes" "$n" || exit 99
	awk '{ print $1, $3 }' "$tmp/expect$n" >"$tmp/states$n.want"
	awk '$3 != "invalid" { print $1 }' "$tmp/expect$n" >"$tmp/kept$n.want"
done
say "cases: $(wc -l <"$tmp/routes") routes;" \
	"$(awk '$3 == "invalid"' "$tmp/expect1" | wc -l) invalid before the change," \
	"$(awk '$3 == "invalid"' "$tmp/expect2" | wc -l) after"

serve_start "$tmp/a.json" "$tmp/b.json" "$tmp/c.json"

# ---- bgpd -------------------------------------------------------------------

bgp_port=$(free_port) || exit 99
{
	echo "hostname rtrmod-frr"
	echo "log stdout informational"
	echo "debug rpki"
	rpki_conf "$serve_port"
	# Route-map changes re-run no policy by themselves (delay-timer 0), so
	# nothing but the module's own doing can bring a dropped route back.
	echo "bgp route-map delay-timer 0"
	echo "route-map RPKI deny 10"
	echo " match rpki invalid"
	echo "exit"
	echo "route-map RPKI permit 20"
	echo "exit"
	echo "router bgp 65000"
	echo " bgp router-id 192.0.2.1"
	echo " no bgp ebgp-requires-policy"
	echo " neighbor 127.0.0.2 remote-as 64511"
	echo " neighbor 127.0.0.2 passive"
	if [ -n "$have_v6" ]; then
		echo " neighbor ::1 remote-as 64511"
		echo " neighbor ::1 passive"
		echo " address-family ipv4 unicast"
		echo "  no neighbor ::1 activate"
		echo " exit-address-family"
		echo " address-family ipv6 unicast"
		echo "  neighbor ::1 activate"
		echo " exit-address-family"
	fi
	echo "exit"
} >"$tmp/bgpd.conf"
module_args
refresh_interval=20
! is_rtrmod || bgpd_env=("RTRMOD_FRR_REFRESH_INTERVAL=$refresh_interval")
bgpd_start bgpd "$tmp/bgpd.conf" "$bgp_port" "${modargs[@]}" || exit 1
wait_for 10 "bgpd: BGP listens on port $bgp_port" listening "$bgp_port" || exit 1
say "peer: $(vt bgpd 'show version' | grep -m1 'FRRouting')"

# ---- 1. the module, the connection, the prefix table ----------------------

vt bgpd 'show modules' >"$tmp/modules.out"
if is_rtrmod; then so=$rtrmod_so; else so=$stock_so; fi
# ("from:" is the directory the loader saw, symlinks and all.)
from=
while read -r f; do
	[ "$(realpath -q "$f")" = "$(realpath "$so")" ] && from=$f
done < <(sed -n 's/^[[:space:]]*from: //p' "$tmp/modules.out")
if [ -n "$from" ]; then
	ok "bgpd: 'show modules' lists $(grep -B1 -F "from: $from" "$tmp/modules.out" | head -n 1 | tr -s ' \t' ' ')"
else
	fail "bgpd: 'show modules' does not list $so"
	sed 's/^/  | /' "$tmp/modules.out"
fi
wait_for 30 "bgpd: 'show rpki cache-connection' says connected" connected bgpd "$serve_port" || {
	show "$tmp/bgpd.conn"
	exit 1
}
vt bgpd 'show rpki cache-connection json' >"$tmp/conn.json"
"$python" - "$tmp/conn.json" "$serve_port" <<'EOF' && ok "bgpd: 'show rpki cache-connection json': group 1, tcp 127.0.0.1:$serve_port connected" || fail "bgpd: 'show rpki cache-connection json' is not that: $(tr -d '\n' <"$tmp/conn.json")"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["connections"]
assert d["connectedGroup"] == 1, d
assert len(c) == 1, c
assert c[0] == {"mode": "tcp", "host": "127.0.0.1", "port": sys.argv[2], "preference": 1, "state": "connected"}, c
EOF
wait_table bgpd "$tmp/want1.vrp" 30 "bgpd: 'show rpki prefix-table json' is the served set ($(wc -l <"$tmp/want1.vrp") VRPs)"
vt bgpd 'show rpki prefix-table' >"$tmp/table.txt"
"$python" "$frr_py" text-rows "$tmp/table.txt" >"$tmp/table.txt.vrp"
same "bgpd: 'show rpki prefix-table' rows are the served set" "$tmp/want1.vrp" "$tmp/table.txt.vrp"
n4=$(grep -c '^vrp [^:]* ' "$tmp/want1.vrp")
n6=$(grep -c '^vrp .*:' "$tmp/want1.vrp")
if grep -q "^Number of IPv4 Prefixes: $n4\$" "$tmp/table.txt" && grep -q "^Number of IPv6 Prefixes: $n6\$" "$tmp/table.txt"; then
	ok "bgpd: text counts $n4 IPv4, $n6 IPv6"
else
	fail "bgpd: text counts are not $n4 IPv4, $n6 IPv6: $(grep 'Number of' "$tmp/table.txt" | tr '\n' ' ')"
fi
if [ "$("$python" "$frr_py" counts "$tmp/bgpd.table.json")" = "$n4 $n6" ]; then
	ok "bgpd: json ipv4PrefixCount $n4, ipv6PrefixCount $n6"
else
	fail "bgpd: json counts are $("$python" "$frr_py" counts "$tmp/bgpd.table.json"), not $n4 $n6"
fi

still_up bgpd

# ---- 2. origin validation of BGP routes -----------------------------------

{
	echo "neighbor 127.0.0.1 {"
	echo "	router-id 192.0.2.2;"
	echo "	local-address 127.0.0.2;"
	echo "	local-as 64511;"
	echo "	peer-as 65000;"
	echo "	connect $bgp_port;"
	echo "	capability { route-refresh; }"
	echo "	family { ipv4 unicast; }"
	echo "	static {"
	grep -v ':' "$tmp/routes" | while read -r net origin _; do
		echo "		route $net next-hop 192.0.2.2 as-path [ 64511 $origin ];"
	done
	echo "	}"
	echo "}"
	if [ -n "$have_v6" ]; then
		echo "neighbor ::1 {"
		echo "	router-id 192.0.2.2;"
		echo "	local-address ::1;"
		echo "	local-as 64511;"
		echo "	peer-as 65000;"
		echo "	connect $bgp_port;"
		echo "	capability { route-refresh; }"
		echo "	family { ipv6 unicast; }"
		echo "	static {"
		grep ':' "$tmp/routes" | while read -r net origin _; do
			echo "		route $net next-hop 2001:db8::2 as-path [ 64511 $origin ];"
		done
		echo "	}"
		echo "}"
	fi
} >"$tmp/exabgp.conf"
exabgp_start "$tmp/exabgp.conf"

# route_cmds: the `show bgp` command for each case, in routes order.
mapfile -t prefixes < <(awk '{ print $1 }' "$tmp/routes")
route_cmds=()
for p in "${prefixes[@]}"; do
	case "$p" in
	*:*) route_cmds+=("show bgp ipv6 unicast $p json") ;;
	*) route_cmds+=("show bgp ipv4 unicast $p json") ;;
	esac
done
# states_are WANT: each case's rpkiValidationState ("absent" when it is not
# in the table) is WANT's.
states_are() {
	vt bgpd "${route_cmds[@]}" >"$tmp/routes.json" &&
		"$python" "$frr_py" route-states "$tmp/routes.json" "${prefixes[@]}" >"$tmp/states" &&
		cmp -s "$1" "$tmp/states"
}
# table_has WANT: the prefixes in bgpd's IPv4 and IPv6 tables are WANT's.
table_has() {
	local cmds=('show bgp ipv4 unicast json')
	[ -z "$have_v6" ] || cmds+=('show bgp ipv6 unicast json')
	vt bgpd "${cmds[@]}" >"$tmp/bgp.json" &&
		"$python" "$frr_py" table "$tmp/bgp.json" >"$tmp/kept" &&
		cmp -s "$1" "$tmp/kept"
}
sort "$tmp/states1.want" -o "$tmp/states1.want"
sort "$tmp/kept1.want" -o "$tmp/kept1.want"
sort "$tmp/kept2.want" -o "$tmp/kept2.want"
awk '{ print $1 }' "$tmp/expect1" | sort >"$tmp/all.want"
wait_for 30 "bgpd: has ExaBGP's ${#prefixes[@]} routes" table_has "$tmp/all.want" ||
	same "bgpd: routes from ExaBGP" "$tmp/all.want" "$tmp/kept"
if wait_for 10 "bgpd: each route's rpkiValidationState is RFC 6811's" states_are "$tmp/states1.want"; then
	say "  ($(grep -c ' valid$' "$tmp/states") valid, $(grep -c ' invalid$' "$tmp/states") invalid," \
		"$(grep -c ' not-found$' "$tmp/states") not found)"
else
	same "bgpd: rpkiValidationState of the routes" "$tmp/states1.want" "$tmp/states"
fi

# `show rpki prefix PFX ASN`: the VRPs that make the route valid (none for
# the others), text and json; rtrmod's also says why an invalid one is.
rows_bad=0 reasons_bad=0
while read -r net origin state reason; do
	"$python" "$frr_py" prefix-rows "$tmp/want1.vrp" "$net" "$origin" >"$tmp/rows.want"
	vt bgpd "show rpki prefix $net $origin" >"$tmp/rows.txt"
	vt bgpd "show rpki prefix $net $origin json" >"$tmp/rows.json"
	"$python" "$frr_py" text-rows "$tmp/rows.txt" >"$tmp/rows.got"
	"$python" "$frr_py" json-rows "$tmp/rows.json" >"$tmp/rows.got.json" 2>&1
	if ! cmp -s "$tmp/rows.want" "$tmp/rows.got" || ! cmp -s "$tmp/rows.want" "$tmp/rows.got.json"; then
		rows_bad=$((rows_bad + 1))
		fail "bgpd: 'show rpki prefix $net $origin' ($state): rows differ from $(tr '\n' ';' <"$tmp/rows.want")"
		sed 's/^/  | /' "$tmp/rows.txt"
		sed 's/^/  | json: /' "$tmp/rows.json"
	fi
	if is_rtrmod; then
		# rtrmod's own addition: the route's state (as FRR names it) and
		# for an invalid one the reason, by its rtrmod_rov_reason_name(),
		# in the text and as values in the json.
		frr_state=${state/not-found/not found}
		words=("$frr_state")
		[ "$state" != invalid ] || words+=("$reason")
		if ! grep -q -- ": $frr_state\b" "$tmp/rows.txt" || ! grep -qw -- "${words[-1]}" "$tmp/rows.txt" ||
			! "$python" -c 'import json, sys
def vals(d):
    if isinstance(d, dict):
        for v in d.values(): yield from vals(v)
    elif isinstance(d, list):
        for v in d: yield from vals(v)
    else:
        yield d
got = set(vals(json.load(open(sys.argv[1]))))
sys.exit(0 if all(w in got for w in sys.argv[2:]) else 1)' "$tmp/rows.json" "${words[@]}"; then
			reasons_bad=$((reasons_bad + 1))
			fail "bgpd: 'show rpki prefix $net $origin [json]' does not say '${words[*]}'"
			sed 's/^/  | /' "$tmp/rows.txt"
			sed 's/^/  | json: /' "$tmp/rows.json"
		fi
	fi
done <"$tmp/expect1"
[ "$rows_bad" -ne 0 ] || ok "bgpd: 'show rpki prefix PFX ASN [json]' lists the matching VRPs for all ${#prefixes[@]} routes"
if is_rtrmod; then
	[ "$reasons_bad" -ne 0 ] || ok "bgpd: 'show rpki prefix PFX ASN [json]' gives each route's state, and each invalid one's reason" \
		"($(awk '$3 == "invalid" { print $4 }' "$tmp/expect1" | sort -u | tr '\n' ' '))"
fi

still_up bgpd

# ---- 3. the route-map drops the invalid routes ----------------------------

rr_sent() {
	vt bgpd "show bgp neighbors $1 json" |
		"$python" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]]["messageStats"]["routeRefreshSent"])' "$1"
}
cmds=('router bgp 65000' 'address-family ipv4 unicast' 'neighbor 127.0.0.2 route-map RPKI in' 'exit-address-family')
[ -z "$have_v6" ] || cmds+=('address-family ipv6 unicast' 'neighbor ::1 route-map RPKI in' 'exit-address-family')
vtc bgpd "${cmds[@]}" >"$tmp/vtc.out" 2>&1 || fail "bgpd: applying the route-map: $(cat "$tmp/vtc.out")"
vt bgpd 'show bgp ipv4 unicast neighbors 127.0.0.2 received-routes' >"$tmp/rr.out" 2>&1
grep -q 'soft reconfiguration not enabled' "$tmp/rr.out" &&
	ok "bgpd: route-map RPKI in, soft-reconfiguration inbound off" ||
	fail "bgpd: soft-reconfiguration inbound is not off: $(head -n 3 "$tmp/rr.out")"
if ! wait_for 30 "bgpd: exactly the invalid routes are dropped by 'match rpki invalid'" table_has "$tmp/kept1.want"; then
	same "bgpd: routes kept by the route-map" "$tmp/kept1.want" "$tmp/kept"
fi

still_up bgpd

# ---- 4. the VRPs change ----------------------------------------------------

if [ "$soft" = on ]; then
	cmds=('router bgp 65000' 'address-family ipv4 unicast' 'neighbor 127.0.0.2 soft-reconfiguration inbound' 'exit-address-family')
	[ -z "$have_v6" ] || cmds+=('address-family ipv6 unicast' 'neighbor ::1 soft-reconfiguration inbound' 'exit-address-family')
	vtc bgpd "${cmds[@]}" >/dev/null 2>&1
	has_adj_in() { vt bgpd 'show bgp ipv4 unicast neighbors 127.0.0.2 received-routes json' | grep -q totalPrefixCounter; }
	wait_for 10 "bgpd: soft-reconfiguration inbound on (FRR_SOFT_RECONFIG=on)" has_adj_in
	sleep 1
else
	say "note: soft-reconfiguration inbound stays off"
fi
# known_stock WHAT: a failure FRR's stock module is known for (it re-runs
# the inbound policy only from Adj-RIB-In, and only for prefixes still in
# the table): XFAIL with FRR_MODULE=rpki, FAIL otherwise.
known_stock() {
	if is_rtrmod; then
		fail "$1"
	else
		say "XFAIL (FRR's stock module, soft-reconfiguration $soft): $1"
	fi
}
# any_of FILE LIST: some prefix of LIST (one per line) is in FILE.
any_of() { [ -n "$2" ] && grep -qxF -f <(printf '%s\n' "$2") "$1"; }
all_of() { [ -z "$(comm -23 <(printf '%s\n' "$2" | sed '/^$/d') "$1")" ]; }
drop_list=$(comm -23 "$tmp/kept1.want" "$tmp/kept2.want")
back_list=$(comm -13 "$tmp/kept1.want" "$tmp/kept2.want")
rr4=$(rr_sent 127.0.0.2)
cp "$tmp/c2.json" "$tmp/c.json.new" && mv "$tmp/c.json.new" "$tmp/c.json" || exit 99
t0=$EPOCHREALTIME
serve_reload
# One poll (every 0.2 s, 30 s at most) times the three parts apart: the
# prefix table, the newly invalid routes gone, the newly valid ones back.
t_table='' t_drop='' t_back=''
limit=$((SECONDS + 30))
since() { awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
while :; do
	[ -n "$t_table" ] || ! table_is bgpd "$tmp/want2.vrp" || t_table=$(since)
	if table_has "$tmp/kept2.want" || :; then
		[ -n "$t_drop" ] || any_of "$tmp/kept" "$drop_list" || t_drop=$(since)
		[ -n "$t_back" ] || ! all_of "$tmp/kept" "$back_list" || t_back=$(since)
	fi
	[ -z "$t_table" ] || [ -z "$t_drop" ] || [ -z "$t_back" ] || break
	[ "$SECONDS" -lt "$limit" ] || break
	sleep 0.2
done
if [ -n "$t_table" ]; then
	ok "bgpd: the prefix table is the new set $t_table s after the SIGHUP"
else
	same "bgpd: prefix table 30 s after the change" "$tmp/want2.vrp" "$tmp/bgpd.table"
fi
if [ -n "$t_drop" ]; then
	ok "bgpd: newly invalid ${drop_list//$'\n'/ } dropped $t_drop s after the SIGHUP"
else
	known_stock "bgpd: newly invalid ${drop_list//$'\n'/ } still in the table 30 s after the change"
fi
if [ -n "$t_back" ]; then
	ok "bgpd: newly valid ${back_list//$'\n'/ } back $t_back s after the SIGHUP"
else
	known_stock "bgpd: newly valid ${back_list//$'\n'/ } not back 30 s after the change"
fi
say "  (soft-reconfiguration inbound $soft; route refreshes bgpd sent to 127.0.0.2 meanwhile:" \
	"$(($(rr_sent 127.0.0.2) - rr4)))"
if [ -n "$t_drop" ] && [ -n "$t_back" ]; then
	same "bgpd: the routes in the table after the change" "$tmp/kept2.want" "$tmp/kept"
fi
# The routes in the table carry their new states.
awk 'NR == FNR { k[$1]; next } { print $1, ($1 in k) ? $2 : "absent" }' "$tmp/kept" "$tmp/states2.want" |
	sort >"$tmp/states2.kept"
if states_are "$tmp/states2.kept"; then
	ok "bgpd: the routes in the table have their new rpkiValidationState"
else
	same "bgpd: rpkiValidationState after the change" "$tmp/states2.kept" "$tmp/states"
fi
connected bgpd "$serve_port" && ok "bgpd: cache still connected" || fail "bgpd: cache not connected after the change"

still_up bgpd

# ---- 4b. rtrmod only: route refreshes coalesced -----------------------------

# walks: the walks bgpd has logged (`debug rpki`); last_walk: the last one.
walks() { grep -c 'revalidated [0-9]* prefix ranges' "$tmp/bgpd.log"; }
last_walk() { grep 'revalidated [0-9]* prefix ranges' "$tmp/bgpd.log" | tail -n 1 | sed 's/.*RPKI: //'; }
more_walks() { [ "$(walks)" -gt "$1" ]; }
# vrps_now SRC VRP...: the served c.json becomes SRC's VRPs plus each VRP
# ("PREFIX MAXLEN ASN"), also kept as $tmp/c.now; reloaded, and the walk it
# causes waited for (10 s).
vrps_now() {
	local src=$1 n
	shift
	"$python" - "$src" "$tmp/c.next" "$@" <<'EOF' || exit 99
import json, os, sys
src, dst = sys.argv[1:3]
doc = json.load(open(src))
for r in sys.argv[3:]:
    p, m, a = r.split()
    doc["roas"].append({"asn": int(a), "prefix": p, "maxLength": int(m), "ta": "test"})
with open(dst, "w", encoding="utf-8") as f:
    json.dump(doc, f)
EOF
	mv "$tmp/c.next" "$tmp/c.now" && cp "$tmp/c.now" "$tmp/c.json.new" && mv "$tmp/c.json.new" "$tmp/c.json" || exit 99
	n=$(walks)
	serve_reload
	wait_for 10 "bgpd: a walk after the change" more_walks "$n"
}
# in_table LIST: bgpd's tables have every prefix of LIST (one a line).
in_table() {
	table_has "$tmp/kept2.want" || :
	all_of "$tmp/kept" "$1"
}
table_version() {
	vt bgpd 'show bgp ipv4 unicast json' |
		"$python" -c 'import json, sys; print(json.load(sys.stdin)["tableVersion"])'
}

if is_rtrmod; then
	say "route refreshes: at most one per peer and address family in $refresh_interval s (RTRMOD_FRR_REFRESH_INTERVAL)"
	rr0=$(rr_sent 127.0.0.2)
	# 10.2.0.0/16 from AS64599 becomes valid, then 10.4.4.0/24 from
	# AS64599: both were denied as invalid, and only a route refresh
	# brings them back (no Adj-RIB-In).
	vrps_now "$tmp/c2.json" "10.2.0.0/16 16 64599"
	say "  $(last_walk)"
	sleep 2
	vrps_now "$tmp/c.now" "10.4.0.0/16 24 64599"
	say "  $(last_walk)"
	n1=$(($(rr_sent 127.0.0.2) - rr0))
	if [ "$n1" -le 1 ]; then
		ok "bgpd: two VRP changes 2 s apart: $n1 route refresh(es) to 127.0.0.2 at once (at most one)"
	else
		fail "bgpd: two VRP changes 2 s apart: $n1 route refreshes to 127.0.0.2 (at most one)"
	fi
	wait_for $((refresh_interval + 15)) "bgpd: 10.2.0.0/16 and 10.4.4.0/24 back once the deferred refresh went" \
		in_table $'10.2.0.0/16\n10.4.4.0/24'
	n2=$(($(rr_sent 127.0.0.2) - rr0))
	sleep 2
	n3=$(($(rr_sent 127.0.0.2) - rr0))
	if [ "$n2" -eq $((n1 + 1)) ] && [ "$n3" -eq "$n2" ]; then
		ok "bgpd: then exactly one deferred route refresh ($n2 in all for the two changes)"
	else
		fail "bgpd: route refreshes to 127.0.0.2: $n1 at once, $n2 after the interval, $n3 2 s later (want $n1, $((n1 + 1)), $((n1 + 1)))"
	fi
	told=$(grep -c 'peer 127.0.0.2: .*soft-reconfiguration inbound. re-validates' "$tmp/bgpd.log")
	if [ "$told" -eq 1 ]; then
		ok "bgpd: told once that 127.0.0.2 would be better with soft-reconfiguration inbound"
	else
		fail "bgpd: the soft-reconfiguration advice for 127.0.0.2 logged $told times (want 1)"
	fi

	# ---- 4c. what a walk re-runs ----------------------------------------
	# 10.6.0.0/16 (AS64506, not found) becomes valid: permitted before and
	# after, so nothing about it changes but its state.
	tv0=$(table_version)
	vrps_now "$tmp/c.now" "10.6.0.0/16 16 64506"
	w=$(last_walk)
	sleep 1
	tv1=$(table_version)
	if grep -q ' 1 prefix ranges: .* 0 re-announced;' <<<"$w" && [ "$tv1" = "$tv0" ]; then
		ok "bgpd: one VRP changed, no outbound policy on the state: nothing re-announced, no best-path run (table version $tv0 stays): $w"
	else
		fail "bgpd: one VRP changed, no outbound policy on the state: table version $tv0 -> $tv1; $w"
	fi
	vtc bgpd 'router bgp 65000' 'address-family ipv4 unicast' 'neighbor 127.0.0.2 route-map RPKI out' \
		'exit-address-family' >"$tmp/vtc.out" 2>&1 || fail "bgpd: route-map RPKI out: $(cat "$tmp/vtc.out")"
	sleep 1
	vrps_now "$tmp/c2.json" "10.2.0.0/16 16 64599" "10.4.0.0/16 24 64599"
	w=$(last_walk)
	if grep -q ' 1 prefix ranges: .* 1 re-announced;' <<<"$w"; then
		ok "bgpd: with an outbound route-map on the state, the route is re-announced: $w"
	else
		fail "bgpd: with an outbound route-map on the state: $w (want 1 re-announced)"
	fi

	# ---- 4d. a cache removed while the other group has no data ------------
	vt bgpd "${route_cmds[@]}" >"$tmp/routes.json" &&
		"$python" "$frr_py" route-states "$tmp/routes.json" "${prefixes[@]}" >"$tmp/states.before" || exit 99
	nodata_port=$(free_port) || exit 99
	vtc bgpd 'rpki' "rpki cache 127.0.0.1 $nodata_port preference 2" >"$tmp/vtc.out" 2>&1
	vtc bgpd 'rpki' "no rpki cache 127.0.0.1 $serve_port preference 1" >>"$tmp/vtc.out" 2>&1
	flaps=0
	for _ in $(seq 1 10); do
		states_are "$tmp/states.before" || flaps=$((flaps + 1))
		sleep 0.3
	done
	if [ "$flaps" -eq 0 ]; then
		ok "bgpd: cache 1 removed, cache 2 without data: the route states stay ($(awk '{ print $2 }' "$tmp/states.before" | sort | uniq -c | tr -s ' \n' ' '))"
	else
		same "bgpd: route states after removing the serving cache ($flaps of 10 looks differ)" "$tmp/states.before" "$tmp/states"
	fi
	still_up bgpd
	# What the next parts expect to be served.
	cp "$tmp/c2.json" "$tmp/c.json.new" && mv "$tmp/c.json.new" "$tmp/c.json" || exit 99
	serve_reload
fi

# ---- 5. rtrmod only: bgpd as an RTR cache ----------------------------------

if is_rtrmod; then
	cache_port=$(free_port) || exit 99
	# The YANG configuration (yang/rtrmod.yang, RFC 7951 JSON): one
	# listener of the in-process cache server.
	cat >"$tmp/rtrmod.json" <<EOF
{
  "rtrmod:rtrmod": {
    "cache-server": {
      "listener": [
        { "address": "127.0.0.1", "port": $cache_port }
      ]
    }
  }
}
EOF
	rpki_conf "$serve_port" >"$tmp/cachebgpd.conf"
	module_args "$tmp/rtrmod.json"
	if bgpd_start cachebgpd "$tmp/cachebgpd.conf" 0 "${modargs[@]}"; then
		wait_table cachebgpd "$tmp/want2.vrp" 30 "cache bgpd: synced from rtrmod serve"
		wait_for 10 "cache bgpd: listens on 127.0.0.1:$cache_port (-M rtrmod:CONFIG.json)" listening "$cache_port"
		if timeout 30 rtrclient -e -t csv tcp 127.0.0.1 "$cache_port" >"$tmp/export.csv" 2>"$tmp/export.err"; then
			"$python" "$vrps_py" rtrclient-csv "$tmp/export.csv" >"$tmp/export"
			same "rtrclient from bgpd's cache: the VRPs bgpd got from its cache" "$tmp/want2.vrp" "$tmp/export"
		else
			fail "rtrclient -e tcp 127.0.0.1 $cache_port: exit status $?"
			show "$tmp/export.err" 20
		fi
		bgpd_stop cachebgpd
	else
		show "$tmp/cachebgpd.log" 20
	fi

	# The same from a bgpd running as user frr, on a port below 1024.
	low_port=$("$python" -c 'import socket
for p in [323] + list(range(1023, 899, -1)):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    print(p)
    break' 2>/dev/null)
	if [ "$(id -u)" != 0 ] || ! id frr >/dev/null 2>&1 || [ -z "$low_port" ]; then
		say "note: not root, no user frr, or no free port below 1024: no unprivileged bgpd"
	else
		sed "s/\"port\": $cache_port/\"port\": $low_port/" "$tmp/rtrmod.json" >"$tmp/rtrmod-low.json"
		rpki_conf "$serve_port" >"$tmp/lowbgpd.conf"
		module_args "$tmp/rtrmod-low.json"
		bgpd_unprivileged=1
		if bgpd_start lowbgpd "$tmp/lowbgpd.conf" 0 "${modargs[@]}"; then
			user=$(ps -o user= -p "${bgpd_pids[lowbgpd]}")
			[ "$user" = frr ] && ok "unprivileged bgpd: runs as user frr" || fail "unprivileged bgpd: runs as $user, not frr"
			wait_table lowbgpd "$tmp/want2.vrp" 30 "unprivileged bgpd: synced from rtrmod serve"
			if wait_for 10 "unprivileged bgpd: listens on 127.0.0.1:$low_port" listening "$low_port" &&
				timeout 30 rtrclient -e -t csv tcp 127.0.0.1 "$low_port" >"$tmp/export-low.csv" 2>"$tmp/export-low.err"; then
				"$python" "$vrps_py" rtrclient-csv "$tmp/export-low.csv" >"$tmp/export-low"
				same "rtrclient from the unprivileged bgpd on port $low_port: its VRPs" "$tmp/want2.vrp" "$tmp/export-low"
			else
				fail "rtrclient -e tcp 127.0.0.1 $low_port: no cache there"
				grep -i 'listen\|configuration file' "$tmp/lowbgpd.log" | head -n 5 | sed 's/^/  | /'
			fi
			bgpd_stop lowbgpd
		else
			show "$tmp/lowbgpd.log" 20
		fi
	fi
fi

# ---- 6. rtrmod only: inactive in another FRR, route-maps still work --------

if is_rtrmod; then
	# Another Debian revision of the same upstream version unpacked but
	# not yet configured (an upgrade between unpack and postinst): its
	# binaries are on disk, so it counts.
	built=$(sed -n 's/^FRR_PACKAGE_VERSION = //p' "$top_builddir/Makefile")
	{
		printf 'Package: frr\nStatus: install ok unpacked\nPriority: optional\n'
		printf 'Version: %s+other1\nDescription: FRRouting\n\n' "${built:-8.4.4-1}"
		printf 'Package: frr-doc\nStatus: install ok installed\nVersion: %s\n' "${built:-8.4.4-1}"
	} >"$tmp/dpkg-unpacked"
	inert_port=$(free_port) || exit 99
	{
		echo "hostname rtrmod-inert"
		echo "log stdout informational"
		rpki_conf "$serve_port"
		echo "route-map RPKI deny 10"
		echo " match rpki invalid"
		echo "exit"
		echo "route-map RPKI permit 20"
		echo "exit"
		echo "router bgp 65000"
		echo " bgp router-id 192.0.2.1"
		echo " no bgp ebgp-requires-policy"
		echo " neighbor 127.0.0.3 remote-as 64511"
		echo " neighbor 127.0.0.3 passive"
		echo " address-family ipv4 unicast"
		echo "  neighbor 127.0.0.3 route-map RPKI in"
		echo " exit-address-family"
		echo "exit"
	} >"$tmp/inert.conf"
	module_args
	bgpd_env=(RTRMOD_FRR_DPKG_STATUS="$tmp/dpkg-unpacked")
	if bgpd_start inert "$tmp/inert.conf" "$inert_port" "${modargs[@]}"; then
		line=$(grep -m1 'RPKI origin validation is OFF' "$tmp/inert.log")
		[ -n "$line" ] && ok "inert bgpd: rtrmod says: ${line#*rtrmod: }" ||
			fail "inert bgpd: no log line saying RPKI is off"
		line=$(grep -m1 'built against the source of the frr package' "$tmp/inert.log")
		if [ -n "$built" ] && grep -qF "but frr $built+other1 is installed" <<<"$line"; then
			ok "inert bgpd: frr $built+other1 unpacked (mid-upgrade) counts: ${line#*rtrmod: }"
		else
			fail "inert bgpd: the unpacked frr ${built:-(built version unknown)}+other1 is not named: ${line:-no line}"
		fi
		vt inert 'show running-config' >"$tmp/inert.running"
		if grep -A1 '^route-map RPKI deny 10' "$tmp/inert.running" | grep -qx ' match rpki invalid'; then
			ok "inert bgpd: 'route-map RPKI deny 10' keeps ' match rpki invalid'"
		else
			fail "inert bgpd: ' match rpki invalid' is not in route-map RPKI deny 10: $(grep -A2 '^route-map RPKI deny' "$tmp/inert.running" | tr '\n' '|')"
		fi
		"$python" "$frr_py" rpki-node "$tmp/inert.running" >"$tmp/inert.node"
		rpki_conf "$serve_port" >"$tmp/inert.node.want"
		same "inert bgpd: the rpki node is kept" "$tmp/inert.node.want" "$tmp/inert.node"
		{
			echo "neighbor 127.0.0.1 {"
			echo "	router-id 192.0.2.3;"
			echo "	local-address 127.0.0.3;"
			echo "	local-as 64511;"
			echo "	peer-as 65000;"
			echo "	connect $inert_port;"
			echo "	family { ipv4 unicast; }"
			echo "	static {"
			grep -v ':' "$tmp/routes" | while read -r net origin _; do
				echo "		route $net next-hop 192.0.2.3 as-path [ 64511 $origin ];"
			done
			echo "	}"
			echo "}"
		} >"$tmp/exabgp-inert.conf"
		spawn exabgp-inert env exabgp.daemon.drop=false exabgp.api.cli=false \
			exabgp.tcp.bind= exabgp.log.destination=stdout exabgp "$tmp/exabgp-inert.conf"
		exabgp2_pid=$spawned
		grep -v ':' "$tmp/routes" | awk '{ print $1 }' | sort >"$tmp/inert.want"
		inert_has() {
			vt inert 'show bgp ipv4 unicast json' >"$tmp/inert.json" &&
				"$python" "$frr_py" table "$tmp/inert.json" | sort >"$tmp/inert.kept" &&
				cmp -s "$tmp/inert.want" "$tmp/inert.kept"
		}
		wait_for 30 "inert bgpd: 'deny 10 / match rpki invalid' + 'permit 20' lets all $(wc -l <"$tmp/inert.want") routes in (none is validated)" inert_has ||
			same "inert bgpd: routes in the table" "$tmp/inert.want" "$tmp/inert.kept"
		stop "$exabgp2_pid" 10
		forget "$exabgp2_pid"
		bgpd_stop inert
	else
		show "$tmp/inert.log" 20
	fi

	# Another upstream version: nothing installed.  The rpki node goes
	# last (bgpd refuses its lines, and the `exit` of the unknown node
	# would end configuration mode for whatever followed).
	{
		echo "hostname rtrmod-other-upstream"
		echo "log stdout informational"
		echo "route-map RPKI deny 10"
		echo " match rpki invalid"
		echo "exit"
		echo "route-map RPKI permit 20"
		echo "exit"
		rpki_conf "$serve_port"
	} >"$tmp/upstream.conf"
	module_args
	bgpd_env=(RTRMOD_FRR_FAKE_VERSION=0.0.0-test)
	if bgpd_start upstream "$tmp/upstream.conf" 0 "${modargs[@]}"; then
		line=$(grep -m1 'RPKI origin validation is OFF' "$tmp/upstream.log")
		if grep -q 'installs nothing in a bgpd of another FRR version' <<<"$line" &&
			grep -q 'remove `match rpki` from the route-maps' <<<"$line" &&
			grep -q 'built for FRR .* but bgpd runs FRR 0.0.0-test' "$tmp/upstream.log"; then
			ok "FRR 0.0.0-test: rtrmod installs nothing and says: ${line#*rtrmod: }"
		else
			fail "FRR 0.0.0-test: no log line saying nothing is installed: ${line:-none}"
		fi
		vt upstream 'show running-config' >"$tmp/upstream.running"
		if grep -q '^rpki$\|^ match rpki ' "$tmp/upstream.running"; then
			fail "FRR 0.0.0-test: the rpki node or match rpki was taken: $(grep '^rpki$\|^ match rpki ' "$tmp/upstream.running" | tr '\n' '|')"
		else
			ok "FRR 0.0.0-test: no rpki node, no match rpki in the running configuration"
		fi
		grep -q '^route-map RPKI deny 10$' "$tmp/upstream.running" &&
			ok "FRR 0.0.0-test: bgpd keeps 'route-map RPKI deny 10' with no match clause (as logged)" ||
			fail "FRR 0.0.0-test: route-map RPKI deny 10 is gone"
		vt upstream 'show rpki cache-connection' >"$tmp/out.upstream" 2>&1
		grep -q 'Unknown command' "$tmp/out.upstream" &&
			ok "FRR 0.0.0-test: show rpki cache-connection is an unknown command" ||
			fail "FRR 0.0.0-test: show rpki cache-connection: $(head -n 1 "$tmp/out.upstream")"
		still_up upstream
		bgpd_stop upstream
	else
		show "$tmp/upstream.log" 20
	fi
fi

stop "$exabgp_pid" 10
forget "$exabgp_pid"
bgpd_stop bgpd
serve_stop
finish
