#!/usr/bin/env bash
# bench/frr_bench.sh: FRR bgpd fed the full production VRP set by `rtrmod
# serve`, with FRR's stock RPKI module (`-M rpki`, RTRlib) and with this
# project's (`-M rtrmod`), one after the other on the same machine, against
# the same cache and data.  Not part of `make check`; `make bench-frr` runs
# it.  Prints, per run and as the median of the runs:
#
#   sync    seconds from `rtrmod serve`'s start until bgpd answers with
#           every VRP (bgpd is already running, its cache configured with
#           `rpki retry_interval 1`, so it connects as soon as the cache
#           listens); also when the cache listened, as `listen`
#   cpu     bgpd's user+system CPU seconds at that moment (from its start)
#   rss     bgpd's VmRSS after the sync (2 s later), and VmHWM (its peak)
#   +rss    VmRSS less that of a bgpd with no RPKI module and the same config
#           minus the rpki node (the module's and its table's share)
#
# and a ratio line (rtrmod / stock) for each.  "Every VRP": polled every
# 0.1 s with `show rpki as-number ASN json` for two ASNs (the data's first
# and last VRP's), whose counts are known from the data, which costs one
# walk of the table per poll and prints a few lines (`show rpki
# prefix-table json` would print all 720k rows on bgpd's only thread);
# once they match, the whole table is checked once, untimed, with
# `show rpki prefix-table json` (its two counts).  Both modules commit a
# cache's data at End of Data, so the two ASNs show a complete table.
#
#   bench/frr_bench.sh [--data DIR] [--runs N] [--only rpki|rtrmod]
#
# Data: DIR/vrps/rpki-client_20250720T100143Z.json.xz (shared test data,
# by default ../shared/data beside the source tree; see bench/README.md),
# decompressed to a temporary file with each record's past `expires`
# removed (which `rtrmod serve` would otherwise honour).  Missing data:
# exit 77.  The module is FRR_MODULE_DIR/bgpd_rtrmod.so (default: the
# build's adapters/frr/.libs); without it only the stock module is
# measured.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
export top_srcdir top_builddir
data_dir=$top_srcdir/../shared/data
runs=3
only=
while [ $# -gt 0 ]; do
	case "$1" in
	--data) data_dir=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	*) echo "usage: $0 [--data DIR] [--runs N] [--only rpki|rtrmod]" >&2; exit 2 ;;
	esac
done
vrp_xz="$data_dir/vrps/rpki-client_20250720T100143Z.json.xz"
if [ ! -r "$vrp_xz" ]; then
	echo "frr_bench: no data: $vrp_xz is missing (see bench/README.md, 'frr_bench.sh')" >&2
	exit 77
fi

# The interop harness: a private $tmp, children stopped by PID, a watchdog.
INTEROP_TIMEOUT=${INTEROP_TIMEOUT:-$((300 + 240 * runs))}
# shellcheck source=tests/interop/lib.sh
. "$top_srcdir/tests/interop/lib.sh"
FRR_MODULE=rpki
# shellcheck source=tests/interop/frr_lib.sh
. "$top_srcdir/tests/interop/frr_lib.sh"
frr_need xz
modules=()
[ "$only" = rtrmod ] || modules+=(rpki)
if [ "$only" != rpki ]; then
	if [ -f "$frr_module_dir/bgpd_rtrmod.so" ]; then
		modules+=(rtrmod)
		if ldd "$frr_module_dir/bgpd_rtrmod.so" | grep -q libasan; then
			say "note: $frr_module_dir/bgpd_rtrmod.so is built with AddressSanitizer: use a plain build for figures"
			frr_preload=$(ldd "$frr_module_dir/bgpd_rtrmod.so" | awk '/libasan/ { print $3; exit }')
		fi
	else
		say "note: $frr_module_dir/bgpd_rtrmod.so is not built: the stock module alone"
	fi
fi
[ "${#modules[@]}" -gt 0 ] || exit 99

# ---- the data ------------------------------------------------------------------

say "decompressing $(basename "$vrp_xz") (its records' expires removed)"
xz -dc "$vrp_xz" | sed -E 's/, "expires": [0-9]+//; s/"expires": [0-9]+, //' >"$tmp/vrps.json" || exit 99
"$python" - "$tmp/vrps.json" >"$tmp/facts" <<'EOF' || exit 99
import ipaddress, json, sys
doc = json.load(open(sys.argv[1]))
roas = doc["roas"]
assert not any("expires" in r for r in roas)
seen, n4, n6 = set(), 0, 0
for r in roas:
    net = ipaddress.ip_network(r["prefix"])
    k = (net, r.get("maxLength", net.prefixlen), int(r["asn"]))
    if k in seen:
        continue
    seen.add(k)
    if net.version == 4:
        n4 += 1
    else:
        n6 += 1
a1, a2 = int(roas[0]["asn"]), int(roas[-1]["asn"])
c1 = sum(1 for k in seen if k[2] == a1)
c2 = sum(1 for k in seen if k[2] == a2)
print(n4, n6, a1, c1, a2, c2)
EOF
read -r n4 n6 asn1 cnt1 asn2 cnt2 <"$tmp/facts"
say "data: $n4 IPv4 + $n6 IPv6 VRPs; probes AS$asn1 ($cnt1 VRPs), AS$asn2 ($cnt2 VRPs)"

# as_count NAME ASN: "V4 V6" of `show rpki as-number ASN json`.
as_count() {
	vt "$1" "show rpki as-number $2 json" 2>/dev/null |
		"$python" -c 'import json, sys
try:
    d = json.load(sys.stdin)
    print(d.get("ipv4PrefixCount", 0) + d.get("ipv6PrefixCount", 0))
except ValueError:
    print(-1)'
}
# full NAME: the table's counts, "V4 V6".
full() {
	vt "$1" 'show rpki prefix-table json' >"$tmp/full.json" 2>/dev/null &&
		"$python" "$frr_py" counts "$tmp/full.json"
}
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
kib() { awk -v k="$2" '$1 == k ":" { print $2 }' "/proc/$1/status"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# one_run MODULE N: one measurement; appends "MODULE listen sync cpu rss hwm"
# to $tmp/results.
one_run() {
	local mod=$1 n=$2 name="b$1$2" port limit t0 t_listen='' t_sync='' c pid rss hwm cpu
	port=$(free_port) || exit 99
	{
		echo "hostname frr-bench"
		echo "log stdout informational"
		if [ "$mod" != none ]; then
			echo "rpki"
			echo " rpki retry_interval 1"
			echo " rpki cache 127.0.0.1 $port preference 1"
			echo "exit"
		fi
	} >"$tmp/$name.conf"
	case "$mod" in
	none) modargs=() ;;
	rpki) modargs=(-M rpki) ;;
	rtrmod) modargs=(--moduledir "$frr_module_dir" -M rtrmod) ;;
	esac
	local keep=$frr_preload
	[ "$mod" = rtrmod ] || frr_preload=
	bgpd_start "$name" "$tmp/$name.conf" 0 "${modargs[@]}" >/dev/null || exit 1
	frr_preload=$keep
	pid=${bgpd_pids[$name]}
	[ -n "$frr_version" ] || frr_version=$(vt "$name" 'show version' 2>/dev/null | grep -m1 FRRouting)
	if [ "$mod" = none ]; then
		sleep 2
		echo "none - - $(cpu_s "$pid") $(kib "$pid" VmRSS) $(kib "$pid" VmHWM)" >>"$tmp/results"
		bgpd_stop "$name"
		return 0
	fi
	sleep 1
	serve_port=$port
	serve_files=("$tmp/vrps.json")
	t0=$EPOCHREALTIME
	spawn "serve$name" "$rtrmod" serve -bind "127.0.0.1:$port" -cache "$tmp/vrps.json" \
		-checktime=false -refresh 0 -loglevel info
	serve_pid=$spawned
	limit=$((SECONDS + 120))
	while [ "$SECONDS" -lt "$limit" ]; do
		[ -n "$t_listen" ] || ! listening "$port" || t_listen=$(since "$t0")
		if [ -n "$t_listen" ] && [ "$(as_count "$name" "$asn1")" = "$cnt1" ] &&
			[ "$(as_count "$name" "$asn2")" = "$cnt2" ]; then
			t_sync=$(since "$t0")
			cpu=$(cpu_s "$pid")
			break
		fi
		alive "$pid" || break
		sleep 0.1
	done
	if [ -z "$t_sync" ]; then
		fail "$mod run $n: bgpd did not have the VRPs within 120 s"
		show "$tmp/$name.log" 20
		exit 1
	fi
	sleep 2
	rss=$(kib "$pid" VmRSS) hwm=$(kib "$pid" VmHWM)
	c=$(full "$name")
	if [ "$c" = "$n4 $n6" ]; then
		ok "$mod run $n: listen $t_listen s, all $((n4 + n6)) VRPs at $t_sync s, cpu $cpu s, VmRSS $rss KiB"
	else
		fail "$mod run $n: the table holds '$c', not $n4 $n6"
	fi
	echo "$mod $t_listen $t_sync $cpu $rss $hwm" >>"$tmp/results"
	bgpd_stop "$name"
	stop "$serve_pid" 10
	forget "$serve_pid"
}

: >"$tmp/results"
frr_version=
one_run none 0
for ((r = 1; r <= runs; r++)); do
	for m in "${modules[@]}"; do
		one_run "$m" "$r"
	done
done

# ---- the figures -------------------------------------------------------------

say "figures (median of $runs runs; $frr_version):"
"$python" - "$tmp/results" "$n4" "$n6" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
base = next(r for r in rows if r[0] == "none")
base_rss = int(base[4])
print(f"VRPs: {int(sys.argv[2]) + int(sys.argv[3])} ({sys.argv[2]} IPv4, {sys.argv[3]} IPv6)")
print(f"bgpd without an RPKI module: VmRSS {base_rss / 1024:.1f} MiB")
print(f"{'module':8} {'listen s':>9} {'sync s':>8} {'cpu s':>7} {'VmRSS MiB':>10} {'+RSS MiB':>9} {'VmHWM MiB':>10}  runs")
med = {}
for mod in ("rpki", "rtrmod"):
    rs = [r for r in rows if r[0] == mod]
    if not rs:
        continue
    m = [statistics.median(float(r[i]) for r in rs) for i in (1, 2, 3, 4, 5)]
    med[mod] = m
    name = "stock" if mod == "rpki" else "rtrmod"
    print(f"{name:8} {m[0]:9.2f} {m[1]:8.2f} {m[2]:7.2f} {m[3] / 1024:10.1f} {(m[3] - base_rss) / 1024:9.1f} {m[4] / 1024:10.1f}  "
          + " ".join(f"{float(r[2]):.2f}s/{int(r[4]) / 1024:.0f}M" for r in rs))
if "rpki" in med and "rtrmod" in med:
    s, r = med["rpki"], med["rtrmod"]
    print(f"ratio rtrmod/stock: sync {r[1] / s[1]:.2f}, cpu {r[2] / s[2]:.2f}, "
          f"VmRSS {r[3] / s[3]:.2f}, +RSS {(r[3] - base_rss) / (s[3] - base_rss):.2f}, VmHWM {r[4] / s[4]:.2f}")
EOF
finish
