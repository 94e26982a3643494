#!/bin/sh
# yanglint.sh: the YANG modules of yang/ compile with yanglint without a
# warning, and every example (yang/examples, tests/data/config/valid)
# validates as a configuration datastore, as written and converted to the
# other encoding (JSON <-> XML).  Any output from yanglint fails the test.
# Without yanglint the test skips (77), except under CI, where it fails.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
YANGLINT=${YANGLINT:-yanglint}
if ! command -v "$YANGLINT" >/dev/null 2>&1; then
	if [ -n "${CI:-}" ] && [ "${CI:-}" != false ]; then
		echo "FAIL: yanglint is missing (CI=$CI; scripts/deps.sh installs libyang2-tools)" >&2
		exit 1
	fi
	echo "SKIP: yanglint is not installed (libyang2-tools)"
	exit 77
fi

yang=$top_srcdir/yang
modules="$yang/rtrmod-types.yang $yang/rtrmod.yang"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtrmod-yanglint.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0

# Run yanglint with only the modules given (-D -D: no search directories);
# fail on a non-zero exit or on any message.
lint() {
	n=$((n + 1))
	# shellcheck disable=SC2086 # $modules is a list of paths without blanks
	if "$YANGLINT" -D -D "$@" >"$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then
		return 0
	fi
	echo "FAIL: yanglint $*" >&2
	cat "$tmp/out" >&2
	fail=1
	return 1
}

# shellcheck disable=SC2086
lint $modules

for f in "$yang"/examples/*.json "$yang"/examples/*.xml "$top_srcdir"/tests/data/config/valid/*; do
	[ -e "$f" ] || continue
	# shellcheck disable=SC2086
	lint -t config $modules "$f" || continue
	case $f in
	*.xml) other=json ;;
	*) other=xml ;;
	esac
	# shellcheck disable=SC2086
	if "$YANGLINT" -D -D -t config -f "$other" -o "$tmp/conv.$other" $modules "$f" >"$tmp/out" 2>&1 &&
		[ ! -s "$tmp/out" ]; then
		# an empty configuration converts to no XML at all
		# shellcheck disable=SC2086
		[ ! -s "$tmp/conv.$other" ] || lint -t config $modules "$tmp/conv.$other"
	else
		echo "FAIL: converting $f to $other" >&2
		cat "$tmp/out" >&2
		fail=1
	fi
done

echo "yanglint: $n checks, $( [ "$fail" -eq 0 ] && echo passed || echo FAILED)"
exit "$fail"
