#!/bin/sh
# Every symbol librtrmod.so exports must start with rtrmod_ and be declared
# in a public header under module/include/rtrmod/; and every function a
# public header declares must be exported (so the two never drift apart).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
NM=${NM_PROG:-nm}
lib="$top_builddir/module/.libs/librtrmod.so"
hdrs="$top_srcdir/module/include/rtrmod"

if [ ! -f "$lib" ]; then
	echo "symbols: $lib not built" >&2
	exit 1
fi

exported=$("$NM" -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort -u)
# Function and variable names that public headers declare: RTRMOD_EXPORT lines.
declared=$(cat "$hdrs"/*.h | tr '\n' ' ' | sed 's/;/;\n/g' |
	grep 'RTRMOD_EXPORT' | grep -o 'rtrmod_[a-z0-9_]*[[:space:]]*(' |
	sed 's/[[:space:]]*($//' | sort -u)

status=0
count=0
for sym in $exported; do
	count=$((count + 1))
	case "$sym" in
	rtrmod_*) ;;
	*)
		echo "symbols: exported without the rtrmod_ prefix: $sym"
		status=1
		continue
		;;
	esac
	if ! printf '%s\n' "$declared" | grep -qx "$sym"; then
		echo "symbols: exported but not declared RTRMOD_EXPORT in a public header: $sym"
		status=1
	fi
done
for sym in $declared; do
	if ! printf '%s\n' "$exported" | grep -qx "$sym"; then
		echo "symbols: declared in a public header but not exported: $sym"
		status=1
	fi
done
if [ "$count" -eq 0 ]; then
	echo "symbols: librtrmod.so exports nothing"
	status=1
fi
[ $status -eq 0 ] && echo "symbols: $count exported symbols, all rtrmod_ and declared"
exit $status
