#!/usr/bin/env bash
# Install every Debian package that building rtrmod, running its tests and
# its interop peers needs.  Idempotent: apt-get skips what is installed.
# Works on a fresh Debian bookworm machine; run as root or with sudo.
set -euo pipefail

packages=(
	# build
	build-essential autoconf automake libtool pkg-config
	libyang2-dev libssl-dev libssh-dev libjansson-dev
	libcurl4-openssl-dev libmicrohttpd-dev check
	libc-ares-dev
	# fuzzing and sanitizers (clang + libFuzzer runtime)
	clang libclang-rt-14-dev
	# tests and tools they call
	libyang2-tools xz-utils python3 iproute2 procps
	# benchmarks: bench/bench_rov compares with RTRlib's pfx_table,
	# bench/bench_serve with stayrtr (listed with the interop peers below)
	librtr-dev
	# interop peers: RTRlib's rtrclient, BIRD, FRR with its RTRlib module, exabgp,
	# StayRTR's rtrdump (tests/interop/)
	rtr-tools bird2 frr frr-rpki-rtrlib exabgp stayrtr
	# building the FRR adapter against the installed FRR's source
	# (scripts/frr-source.sh): apt-get source, and what FRR's configure
	# needs with the options of Debian's debian/rules (documentation aside)
	dpkg-dev bison flex gawk libcap-dev libelf-dev libjson-c-dev
	libpam0g-dev libpcre2-dev libreadline-dev libsnmp-dev python3-dev
)

SUDO=
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
fi

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages present"
	exit 0
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q

# The peers (bird2, frr) are daemons.  Tests start their own instances on
# loopback; keep the package scripts from starting system-wide ones.
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
	made_policy=1
fi
cleanup() { [ -z "$made_policy" ] || $SUDO rm -f "$policy"; }
trap cleanup EXIT

$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
