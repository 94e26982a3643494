#!/bin/sh
# bgpd_rtrmod.so's dynamic symbols:
#   1. it exports frr_module (what FRR's loader looks up) and nothing else, so
#      none of the core's symbols can clash with what bgpd loads;
#   2. every symbol it needs is defined by bgpd, the libraries bgpd links or
#      the module's own libraries, with the version the module asks for — a
#      missing one would make bgpd's dlopen(RTLD_NOW) fail;
#   3. json_object_get, a name both jansson (the core) and json-c (bgpd)
#      define, is bound to jansson's version, not to whichever comes first.
# Part 2 needs bgpd (package frr): skipped without it, except under CI.
set -u
: "${top_builddir:?}"
NM=${NM_PROG:-nm}
so="$top_builddir/adapters/frr/.libs/bgpd_rtrmod.so"
bgpd=${FRR_BGPD:-/usr/lib/frr/bgpd}
status=0

if [ ! -f "$so" ]; then
	echo "frr_module: $so not built"
	exit 1
fi

# 1. exports
exports=$("$NM" -D --defined-only "$so" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' | sort -u)
if [ "$exports" = frr_module ]; then
	echo "frr_module: exports only frr_module"
else
	echo "frr_module: exports more than frr_module:"
	printf '%s\n' "$exports" | sed 's/^/  /' | head -n 20
	status=1
fi

# 3. the one name jansson and json-c share
if "$NM" -D --undefined-only "$so" | grep -q ' json_object_get@libjansson'; then
	echo "frr_module: json_object_get is bound to jansson's version"
else
	echo "frr_module: json_object_get is not bound to jansson's version:"
	"$NM" -D --undefined-only "$so" | grep ' json_object_get' | sed 's/^/  /'
	status=1
fi

# 2. everything needed is found
if [ ! -x "$bgpd" ]; then
	if [ "${CI:-}" = true ]; then
		echo "frr_module: $bgpd missing"
		exit 1
	fi
	echo "frr_module: $bgpd missing; the resolution check is skipped"
	[ $status -eq 0 ] && exit 77
	exit $status
fi
libs=$( (ldd "$bgpd"; ldd "$so") | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
defs=$(mktemp) || exit 99
trap 'rm -f "$defs"' EXIT
# "name@version" for versioned definitions (default or not), and "name".
for f in "$bgpd" $libs; do
	"$NM" -D --defined-only "$f" | awk 'NF >= 3 { s = $3; sub(/@@/, "@", s); print s; sub(/@.*/, "", s); print s }'
done | sort -u >"$defs"
missing=$("$NM" -D --undefined-only "$so" | awk '$1 == "U" { print $2 }' | sort -u | comm -23 - "$defs")
needed=$("$NM" -D --undefined-only "$so" | awk '$1 == "U"' | wc -l)
if [ -z "$missing" ]; then
	echo "frr_module: all $needed needed symbols are defined by bgpd and the libraries"
else
	echo "frr_module: needed but defined nowhere:"
	printf '%s\n' "$missing" | sed 's/^/  /' | head -n 20
	status=1
fi
exit $status
