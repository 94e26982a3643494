#!/bin/sh
# The rtrmod program's command line: usage, --help for every command,
# --version, exit codes, and `rtrmod decode` on golden data.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
rtrmod="$top_builddir/tools/rtrmod"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# expect STATUS DESCRIPTION -- COMMAND...: run, compare the exit status.
expect() {
	want=$1 what=$2
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: $what: exit $got, wanted $want"
		sed 's/^/  | /' "$tmp/out" "$tmp/err"
		fails=$((fails + 1))
	else
		echo "ok: $what"
	fi
}

# grep_out PATTERN DESCRIPTION: the last command's stdout+stderr matches.
grep_out() {
	if cat "$tmp/out" "$tmp/err" | grep -q -- "$1"; then
		echo "ok: $2"
	else
		echo "FAIL: $2: no '$1' in output"
		sed 's/^/  | /' "$tmp/out" "$tmp/err"
		fails=$((fails + 1))
	fi
}

expect 2 "no command is a usage error" -- "$rtrmod"
grep_out "usage: rtrmod" "usage printed without a command"
expect 2 "unknown command is a usage error" -- "$rtrmod" frobnicate
grep_out "unknown command 'frobnicate'" "unknown command named"
expect 0 "--help" -- "$rtrmod" --help
cp "$tmp/out" "$tmp/help"
for c in serve dump monitor validate config decode; do
	if grep -q "^  $c " "$tmp/help"; then
		echo "ok: --help lists $c"
	else
		echo "FAIL: --help does not list $c"
		fails=$((fails + 1))
	fi
	expect 0 "$c --help" -- "$rtrmod" "$c" --help
	grep_out "$c" "$c --help names the command"
done
expect 0 "--version" -- "$rtrmod" --version
grep_out "^rtrmod [0-9]" "--version prints the version"
expect 2 "decode with a bad option" -- "$rtrmod" decode --bogus
expect 2 "decode with a bad --max-len" -- "$rtrmod" decode --max-len 3 /dev/null
expect 2 "decode with --max-len past the codec cap" -- "$rtrmod" decode --max-len 65537 /dev/null
expect 1 "decode of a missing file" -- "$rtrmod" decode "$tmp/none"

# A Serial Notify (v1, session 0x1234, serial 7) and a v2 Cache Reset, as hex.
printf '01 00 1234 0000000c 00000007\n# comment\n02 08 0000 00000008\n' >"$tmp/ok.hex"
expect 0 "decode two PDUs from hex" -- "$rtrmod" decode --hex "$tmp/ok.hex"
grep_out "2 PDUs, 20 bytes" "decode counts PDUs and bytes"
expect 0 "decode --summary from stdin" -- sh -c "'$rtrmod' decode -x -s <'$tmp/ok.hex'"
grep_out "2 PDUs" "summary from stdin"

# Version 3 does not exist: the peer must get Unsupported Protocol Version (4).
printf '03 02 0000 00000008\n' >"$tmp/v3.hex"
expect 1 "decode refuses an unknown version" -- "$rtrmod" decode -x "$tmp/v3.hex"
grep_out "Error Report 4 " "unknown version maps to code 4"

# A Router Key in v0 does not exist: Unsupported PDU Type (5).
printf '00 09 0000 00000008\n' >"$tmp/rk0.hex"
expect 1 "decode refuses a type not in the version" -- "$rtrmod" decode -x "$tmp/rk0.hex"
grep_out "Error Report 5 " "type not in version maps to code 5"

# Truncated: a Serial Notify header claiming 12 bytes with only 10 present.
printf '01 00 1234 0000000c 0000\n' >"$tmp/trunc.hex"
expect 1 "decode reports a stream ending inside a PDU" -- "$rtrmod" decode -x "$tmp/trunc.hex"
grep_out "ends inside a PDU" "truncation named"

expect 1 "decode refuses bad hex" -- "$rtrmod" decode -x /dev/stdin <<EOF2
zz
EOF2

[ "$fails" -eq 0 ] && echo "cli: all passed"
exit $((fails != 0))
