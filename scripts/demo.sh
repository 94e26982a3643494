#!/usr/bin/env bash
# The main job rtrmod can do today, end to end on a fresh machine: install
# what is needed, build, and decode real RTR traffic.  The bundled sample is
# what a GoRTR cache sent a router (captured on loopback): a full v1 and v0
# reset with 64 VRPs; then a malformed packet a router must refuse.
# (From the cache-server release on, this runs `rtrmod serve` on bundled
# VRPs with a client showing what it serves.)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh
[ -x configure ] || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q
make -s -j"$(nproc 2>/dev/null || echo 2)" tools/rtrmod
rtrmod=$PWD/tools/rtrmod
data=$top/tests/data/capture

echo
echo "== A GoRTR cache answering an RTR v1 Reset Query (server to router):"
"$rtrmod" decode "$data/gortr_small.conn1.s2c.bin"
echo
echo "== The same cache answering a v0 router (12-byte End of Data, no timers):"
"$rtrmod" decode --summary "$data/gortr_small.conn2.s2c.bin"
echo
echo "== A malformed RTR packet (tcpdump's fuzz sample): what a router must answer:"
"$rtrmod" decode "$data/tcpdump_oobr.conn1.s2c.bin" || true
