#!/usr/bin/env bash
# FRR bgpd (package frr) with its stock RPKI module (`-M rpki`, package
# frr-rpki-rtrlib, built on RTRlib) against `rtrmod serve` on committed real
# VRP data:
#   1. `show rpki cache-connection` reports the cache connected, and
#      `show rpki prefix-table` (text and json) lists exactly the served
#      IPv4 and IPv6 VRPs;
#   2. origin validation of real BGP routes: ExaBGP (package exabgp) sends
#      bgpd IPv4 routes picked from the data over an eBGP session on
#      loopback, and bgpd marks each valid, invalid or not found as an
#      independent RFC 6811 implementation (vrps.py) says;
#   3. the files change and the server gets SIGHUP: bgpd's table becomes
#      exactly the new set over the same connection, with one Reset Query in
#      all and no error, and bgpd re-validates the routes to their new states.
# bgpd runs alone, in the foreground as this script's child: no zebra (-Z),
# no kernel (-n), BGP on 127.0.0.1 only (-l) at a free port, no TCP vty
# (-P 0), no privilege changes (-S); its config, pid file and vty socket are
# in a private directory.  ExaBGP connects from 127.0.0.2 (its routes'
# next hop, 192.0.2.2, is only an attribute: nothing is sent there).  Both
# are stopped by their PIDs.
# shellcheck source=tests/interop/lib.sh
. "$top_srcdir/tests/interop/lib.sh"

bgpd=${FRR_BGPD:-/usr/lib/frr/bgpd}
need_peer "$bgpd" vtysh
rpki_so=$(ls /usr/lib/*/frr/modules/bgpd_rpki.so /usr/lib/frr/modules/bgpd_rpki.so 2>/dev/null | head -n 1)
[ -n "$rpki_so" ] || peer_missing "FRR's RPKI module bgpd_rpki.so (frr-rpki-rtrlib)"
if command -v exabgp >/dev/null 2>&1; then
	have_exabgp=1
elif [ "${CI:-}" = true ]; then
	peer_missing exabgp
else
	have_exabgp=
	say "note: exabgp is not installed; the BGP part is left out"
fi

source_files
# The change step 3 makes, computed now: the routes step 2 sends are
# chosen to change state with it.
mkdir -p "$tmp/next" && cp "$tmp/a.json" "$tmp/b.json" "$tmp/next/" || exit 99
edit_sources "$tmp/next"
expect_set "$tmp/want1" "$tmp/a.json" "$tmp/b.json"
expect_set "$tmp/want2" "$tmp/next/a.json" "$tmp/next/b.json"
grep '^vrp ' "$tmp/want1" >"$tmp/want1.vrp"
grep '^vrp ' "$tmp/want2" >"$tmp/want2.vrp"

serve_start "$tmp/a.json" "$tmp/b.json"

vty="$tmp/vty"
mkdir -p "$vty"
bgp_port=$(free_port) || exit 99
cat >"$tmp/bgpd.conf" <<EOF
hostname rtrmod-interop
log stdout informational
debug rpki
rpki
 rpki polling_period 30
 rpki retry_interval 5
 rpki cache 127.0.0.1 $serve_port preference 1
exit
router bgp 65000
 bgp router-id 192.0.2.1
 no bgp ebgp-requires-policy
 neighbor 127.0.0.2 remote-as 64511
 neighbor 127.0.0.2 passive
exit
EOF
spawn bgpd "$bgpd" -f "$tmp/bgpd.conf" -i "$tmp/bgpd.pid" -z "$tmp/zserv.api" \
	--vty_socket "$vty" -M rpki -Z -l 127.0.0.1 -p "$bgp_port" -P 0 -S --log stdout
bgpd_pid=$spawned

# vt COMMAND: one command through vtysh on bgpd's private socket.
vt() {
	timeout 10 vtysh -d bgpd --vty_socket "$vty" -c "$1"
}
vty_up() { alive "$bgpd_pid" && vt 'show version' | grep -q FRRouting; }
connected() {
	vt 'show rpki cache-connection' >"$tmp/conn.out" &&
		grep -q "127.0.0.1 $serve_port pref 1 (connected)" "$tmp/conn.out"
}
# table_is WANT: `show rpki prefix-table json` holds exactly WANT's VRPs.
table_is() {
	vt 'show rpki prefix-table json' >"$tmp/table.json" &&
		"$python" "$vrps_py" frr-json "$tmp/table.json" >"$tmp/table" &&
		cmp -s "$1" "$tmp/table"
}

wait_for 20 "bgpd: vtysh answers" vty_up || exit 1
wait_for 10 "bgpd: BGP listens on 127.0.0.1:$bgp_port" listening "$bgp_port" || exit 1
say "peer: $(vt 'show version' | grep -m1 'FRRouting')"
wait_for 30 "bgpd: 'show rpki cache-connection' says connected" connected || {
	show "$tmp/conn.out"
	exit 1
}

# ---- 1. the prefix table --------------------------------------------------

if ! wait_for 30 "bgpd: prefix table synced" table_is "$tmp/want1.vrp"; then
	same "bgpd: prefix table" "$tmp/want1.vrp" "$tmp/table"
else
	same "bgpd: 'show rpki prefix-table json' is the served set" "$tmp/want1.vrp" "$tmp/table"
fi
# The text form too: its rows, and the counts it prints.
vt 'show rpki prefix-table' >"$tmp/table.txt"
"$python" - "$tmp/table.txt" >"$tmp/table.txt.vrp" <<'EOF' || fail "bgpd: text table unreadable"
import ipaddress, re, sys
for line in open(sys.argv[1]):
    m = re.match(r"^(\S+)\s+(\d+) -\s+(\d+)\s+(\d+)\s*$", line)
    if m:
        net = ipaddress.ip_network(f"{m[1]}/{m[2]}")
        print(f"vrp {net} {m[3]} {m[4]}")
EOF
sort -o "$tmp/table.txt.vrp" "$tmp/table.txt.vrp"
same "bgpd: 'show rpki prefix-table' rows are the served set" "$tmp/want1.vrp" "$tmp/table.txt.vrp"
n4=$(grep -c '^vrp [^:]* ' "$tmp/want1.vrp")
n6=$(grep -c '^vrp .*:' "$tmp/want1.vrp")
grep -q "Number of IPv4 Prefixes: $n4\$" "$tmp/table.txt" && grep -q "Number of IPv6 Prefixes: $n6\$" "$tmp/table.txt" &&
	ok "bgpd: counts $n4 IPv4, $n6 IPv6" ||
	fail "bgpd: counts are not $n4 IPv4, $n6 IPv6: $(grep 'Number of' "$tmp/table.txt" | tr '\n' ' ')"
# One VRP looked up by prefix and origin.
vt 'show rpki prefix 1.0.0.0/24 13335' >"$tmp/one.out"
grep -Eq '^1\.0\.0\.0 +24 - +24 +13335' "$tmp/one.out" &&
	ok "bgpd: 'show rpki prefix 1.0.0.0/24 13335' finds the VRP" ||
	fail "bgpd: 'show rpki prefix 1.0.0.0/24 13335' does not list it: $(cat "$tmp/one.out")"
if grep -q 'RTR Socket:' "$tmp/bgpd.log"; then
	grep -q "New interval values: expire_interval:$rtr_expire, refresh_interval:$rtr_refresh, retry_interval:$rtr_retry" \
		"$tmp/bgpd.log" && ok "bgpd: takes the timers of End of Data" ||
		fail "bgpd: End of Data timers not taken"
fi

# ---- 2. origin validation of BGP routes -----------------------------------

# states_are COLUMN: bgpd's RPKI marks of the routes are column COLUMN (3:
# before the change, 4: after) of $tmp/routes.
states_are() {
	awk -v c="$1" '{ print $1, $c }' "$tmp/routes" | sort >"$tmp/states.want"
	vt 'show bgp ipv4 unicast' >"$tmp/bgp.out" &&
		"$python" "$vrps_py" frr-states "$tmp/bgp.out" >"$tmp/states" &&
		cmp -s "$tmp/states.want" "$tmp/states"
}
if [ -n "$have_exabgp" ]; then
	"$python" "$vrps_py" route-cases "$tmp/want1.vrp" "$tmp/want2.vrp" >"$tmp/routes" || exit 99
	{
		echo "neighbor 127.0.0.1/32 {"
		echo "	router-id 192.0.2.2;"
		echo "	local-address 127.0.0.2;"
		echo "	local-as 64511;"
		echo "	peer-as 65000;"
		echo "	connect $bgp_port;"
		echo "	family { ipv4 unicast; }"
		echo "	static {"
		while read -r net origin _; do
			echo "		route $net next-hop 192.0.2.2 as-path [ 64511 $origin ];"
		done <"$tmp/routes"
		echo "	}"
		echo "}"
	} >"$tmp/exabgp.conf"
	exabgp_start "$tmp/exabgp.conf"
	if wait_for 30 "bgpd: got ExaBGP's $(wc -l <"$tmp/routes") routes, each marked as RFC 6811 says" \
		states_are 3; then
		say "  ($(grep -c ' valid$' "$tmp/states") valid, $(grep -c ' invalid$' "$tmp/states") invalid," \
			"$(grep -c ' not-found$' "$tmp/states") not found)"
	else
		same "bgpd: RPKI marks of the routes" "$tmp/states.want" "$tmp/states"
	fi
fi

# ---- 3. SIGHUP: an incremental update -------------------------------------

for f in a b; do
	cp "$tmp/next/$f.json" "$tmp/$f.json.new" && mv "$tmp/$f.json.new" "$tmp/$f.json" || exit 99
done
serve_reload
if ! wait_for 30 "bgpd: prefix table follows the SIGHUP" table_is "$tmp/want2.vrp"; then
	same "bgpd: prefix table after SIGHUP" "$tmp/want2.vrp" "$tmp/table"
fi
connected && ok "bgpd: cache still connected" || fail "bgpd: cache not connected after the update"
if [ -n "$have_exabgp" ]; then
	if wait_for 30 "bgpd: routes re-validated after the update" states_are 4; then
		say "  ($(awk '$3 != $4' "$tmp/routes" | wc -l) of them changed state)"
	else
		same "bgpd: RPKI marks after the update" "$tmp/states.want" "$tmp/states"
	fi
fi
if grep -q 'RTR Socket:' "$tmp/bgpd.log"; then
	grep -q 'sending serial query' "$tmp/bgpd.log" && ok "bgpd: updated with a Serial Query" ||
		fail "bgpd: sent no Serial Query"
	n_reset=$(grep -c 'Sending reset query' "$tmp/bgpd.log")
	[ "$n_reset" -eq 1 ] && ok "bgpd: one Reset Query in all" ||
		fail "bgpd: $n_reset Reset Queries (a reconnect or Cache Reset)"
	if grep -Eq 'RTR_ERROR|Error Report|Received error' "$tmp/bgpd.log"; then
		fail "bgpd: an RTR error"
		grep -E 'RTR_ERROR|Error Report|Received error' "$tmp/bgpd.log" | head -n 5 | sed 's/^/  | /'
	fi
fi

if [ -n "$have_exabgp" ]; then
	stop "$exabgp_pid" 10
	forget "$exabgp_pid"
fi
stop "$bgpd_pid" 10
forget "$bgpd_pid"
serve_stop
finish
