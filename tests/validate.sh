#!/bin/sh
# `rtrmod validate` end to end on committed data: the first 7,000 routes of
# a real RIS table (bgpdump -m) against the real VRPs and ASPAs that decide
# them (tests/data/validate/, cut as its README says), with the counts that
# tests/data/validate/reference.py (an independent Python implementation)
# printed; then hand-made routes for every state and reason, bad lines with
# their line numbers, and usage errors.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
rtrmod="$top_builddir/tools/rtrmod"
data="$top_srcdir/tests/data"
sample_vrps="$data/validate/vrps_sample.json"
table="$data/validate/rrc06_head.bgpdump"
small_vrps="$data/vrps/rpki-client_sample.json"
built=1753005703 # 2025-07-20T10:01:43Z: both VRP files are current then
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
		sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -40
		fails=$((fails + 1))
	else
		echo "ok: $what"
	fi
}

# has FILE REGEX DESCRIPTION: a line of FILE (out or err) matches.
has() {
	if grep -Eq -- "$2" "$tmp/$1"; then
		echo "ok: $3"
	else
		echo "FAIL: $3: no /$2/ in std$1"
		sed 's/^/  | /' "$tmp/$1" | head -40
		fails=$((fails + 1))
	fi
}

# count FILE REGEX N DESCRIPTION: exactly N lines of FILE match.
count() {
	n=$(grep -Ec -- "$2" "$tmp/$1")
	if [ "$n" -eq "$3" ]; then
		echo "ok: $4"
	else
		echo "FAIL: $4: $n lines match /$2/, wanted $3"
		fails=$((fails + 1))
	fi
}

# ---- the real sample --------------------------------------------------------

expect 0 "real sample, summary only" -- "$rtrmod" validate --vrps "$sample_vrps" \
	--now $built --summary-only "$table"
has out '^VRP source .*vrps_sample.json \(rpki-client, built 2025-07-20T10:01:43Z\)$' "source named"
has out '^  vrp +168 loaded, 0 dropped$' "168 VRPs"
has out '^  aspa +100 loaded, 0 dropped$' "100 ASPAs"
has out '^Routes 7000 \(3504 prefixes\), 0 bad lines$' "7000 routes, 3504 prefixes"
has out '^  valid +90 +1\.29%$' "90 valid"
has out '^  invalid +383 +5\.47%$' "383 invalid"
has out '^    origin-mismatch +228 ' "228 origin mismatch"
has out '^    max-length +26 ' "26 max length"
has out '^    origin-and-max-length +123 ' "123 both"
has out '^    as0 +0 ' "0 as0"
has out '^    as-set +6 ' "6 as-set"
has out '^  not-found +6527 +93\.24%$' "6527 not found"
has out '^Invalid with no valid or not-found route covering it: 139 routes \(36\.29% of invalid\), 70 prefixes$' \
	"139 invalid routes (70 prefixes) would become unreachable"
has out '^ASPA upstream: valid 0, invalid 20, unknown 6980, no path 0$' "ASPA counts"
count out '^[0-9]' 0 "--summary-only prints no routes"

expect 0 "real sample, text" -- "$rtrmod" validate -r "$sample_vrps" -n $built "$table"
count out '^[0-9a-f:.]+/[0-9]+ ' 7000 "one text line per route"
has out '^1\.9\.0\.0/16 AS4788 valid - unknown$' "first route: valid, ASPA unknown"
count out '^20\.137\.0\.0/21 AS_SET invalid as-set invalid$' 2 "AS_SET routes: invalid as-set"

expect 0 "real sample, JSON" -- "$rtrmod" validate -r "$sample_vrps" -n $built --json "$table"
count out '^\{"line":[0-9]+,"prefix":' 7000 "one JSON object per route"
has out '^\{"line":6859,"prefix":"20\.137\.0\.0/21","origin":"AS_SET","state":"invalid","reason":"as-set","aspa":"invalid"\}$' \
	"AS_SET route in JSON, with its line"
has out '^\{"summary":\{"routes":7000,"prefixes":3504,"bad_lines":0,"valid":90,"invalid":383,"not_found":6527,' \
	"JSON summary totals"
has out '"invalid_by_reason":\{"origin-mismatch":228,"max-length":26,"origin-and-max-length":123,"as0":0,"as-set":6\}' \
	"JSON summary reasons"
has out '"invalid_uncovered":\{"routes":139,"prefixes":70\}' "JSON summary: unreachable"
has out '"aspa":\{"valid":0,"invalid":20,"unknown":6980,"no_path":0\}' "JSON summary: ASPA"
if command -v python3 >/dev/null 2>&1; then
	expect 0 "every JSON line parses" -- python3 -c \
		'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/out"
fi

expect 0 "real sample, --invalid-only" -- "$rtrmod" validate -r "$sample_vrps" -n $built \
	--invalid-only "$table"
count out '^[0-9]' 397 "397 routes rejected (383 ROV invalid, 14 more ASPA invalid)"
count out '^[^ ]+ [^ ]+ (valid|not-found) - (valid|unknown)$' 0 "no accepted route printed"

# Judged at a time after every VRP expired: nothing left to validate with.
expect 0 "expired VRPs" -- "$rtrmod" validate -r "$sample_vrps" -n 1900000000 -s "$table"
has err 'every VRP in .* is past its expiry' "expiry warning"
has out '^  vrp +0 loaded, 168 dropped \(expired 168\)$' "168 VRPs expired"
has out '^  not-found +7000 ' "all routes not found"
expect 0 "--ignore-expiry" -- "$rtrmod" validate -r "$sample_vrps" -n 1900000000 -E -s "$table"
has out '^  valid +90 ' "--ignore-expiry keeps the VRPs"

# ---- every state and reason, from standard input ------------------------------

cat >"$tmp/routes" <<'EOF'
# prefix origin, prefix path and bgpdump (TABLE_DUMP v1) lines, mixed
1.0.0.0/24 AS13335
1.0.0.0/24 64496
1.1.4.0/23 4134
1.1.4.0/23 64496
2.57.180.0/23 64496
9.9.9.0/24 19281
2001:200:136::/48 AS9367
1.0.0.0/24 701 {13335,13336}
1.2.9.0/24 13213 945
9.9.9.0/24 64500 945
9.9.9.0/24 174 13213 945
TABLE_DUMP|1027381055|B|193.203.0.1|1853|1.1.16.0/20|1853 1239 4134|IGP|193.203.0.1|0|0||NAG||
9.9.9.0/24 945 945 945
1.0.0.0/25 13335
EOF
expect 0 "hand-made routes" -- sh -c "'$rtrmod' validate -r '$small_vrps' -n $built - <'$tmp/routes'"
has out '^1\.0\.0\.0/24 AS13335 valid - -$' "valid"
has out '^1\.0\.0\.0/24 AS64496 invalid origin-mismatch -$' "origin mismatch"
has out '^1\.1\.4\.0/23 AS4134 invalid max-length -$' "too long for max length"
has out '^1\.1\.4\.0/23 AS64496 invalid origin-and-max-length -$' "both"
has out '^2\.57\.180\.0/23 AS64496 invalid as0 -$' "AS0 VRP"
has out '^9\.9\.9\.0/24 AS19281 not-found - -$' "not found"
has out '^2001:200:136::/48 AS9367 valid - -$' "IPv6"
has out '^1\.0\.0\.0/24 AS_SET invalid as-set invalid$' "final AS_SET: never valid, ASPA invalid"
has out '^1\.2\.9\.0/24 AS945 invalid origin-mismatch valid$' "ASPA valid: 945 -> provider 13213"
has out '^9\.9\.9\.0/24 AS945 not-found - invalid$' "ASPA invalid: 64500 is no provider of 945"
has out '^9\.9\.9\.0/24 AS945 not-found - unknown$' "ASPA unknown: 13213 has no ASPA"
has out '^1\.1\.16\.0/20 AS4134 valid - unknown$' "TABLE_DUMP v1 line"
has out '^9\.9\.9\.0/24 AS945 not-found - valid$' "prepends collapse"
has out '^1\.0\.0\.0/25 AS13335 invalid max-length -$' "more specific than max length"
has out '^Routes 14 \(8 prefixes\), 0 bad lines$' "14 routes"
has out '^  valid +3 ' "3 valid"
has out '^  invalid +7 ' "7 invalid"
has out '^  not-found +4 ' "4 not found"
has out '^Invalid with no valid or not-found route covering it: 4 routes \(57\.14% of invalid\), 3 prefixes$' \
	"4 invalid routes uncovered"
has out '^ASPA upstream: valid 2, invalid 2, unknown 2, no path 8$' "ASPA summary"
expect 0 "hand-made routes, --invalid-only" -- "$rtrmod" validate -r "$small_vrps" -n $built \
	-i "$tmp/routes"
count out '^[0-9]' 8 "8 rejected routes"
expect 0 "--no-aspa" -- "$rtrmod" validate -r "$small_vrps" -n $built -A "$tmp/routes"
has out '^1\.0\.0\.0/24 AS_SET invalid as-set$' "no ASPA column"
count out '^ASPA' 0 "no ASPA summary"

# ---- bad lines ----------------------------------------------------------------

cat >"$tmp/bad" <<'EOF'
1.0.0.0/24 AS13335
1.0.0.0/33 13335
1.0.0.0/24 AS4294967296

NOPE|1|B|x|1|1.0.0.0/24|1|
TABLE_DUMP2|1277971200|B|193.0.0.71|65520|84.205.86.0/24||IGP|202.249.2.143|0|0||NAG|64896 10.255.255.255|
1.0.0.0/24 701 {13335
9.9.9.0/24 19281
EOF
expect 1 "bad lines: exit 1" -- sh -c "'$rtrmod' validate -r '$small_vrps' -n $built <'$tmp/bad'"
has err '^rtrmod validate: <stdin>:2: bad prefix .1\.0\.0\.0/33.$' "bad prefix, line 2"
has err '^rtrmod validate: <stdin>:3: bad AS .AS4294967296.$' "bad AS, line 3"
has err '^rtrmod validate: <stdin>:5: unknown bgpdump record type .NOPE.$' "unknown format, line 5"
has err '^rtrmod validate: <stdin>:6: empty AS path: .*--local-as$' "empty path needs --local-as, line 6"
has err '^rtrmod validate: <stdin>:7: unterminated AS path segment' "unterminated AS_SET, line 7"
count err . 5 "five errors"
count out '^[0-9]' 2 "the good lines still validate"
has out '^Routes 2 \(2 prefixes\), 5 bad lines$' "summary counts bad lines"
expect 1 "bad lines with --local-as" -- "$rtrmod" validate -r "$small_vrps" -n $built \
	--local-as AS65520 "$tmp/bad"
has out '^84\.205\.86\.0/24 AS65520 not-found - -$' "empty path: origin is the local AS"
has err "^rtrmod validate: $tmp/bad:2: bad prefix" "errors name the file"
count err . 4 "four errors"
printf '1.0.0.0/24 701 13335\n' >"$tmp/path"
expect 1 "--format origin refuses a path" -- "$rtrmod" validate -r "$small_vrps" -n $built \
	--format origin "$tmp/path"
has err ':1: want one origin AS' "origin format named"
expect 1 "--format bgpdump refuses text" -- "$rtrmod" validate -r "$small_vrps" -n $built \
	-f bgpdump "$tmp/path"
expect 1 "missing routes file" -- "$rtrmod" validate -r "$small_vrps" "$tmp/none"
has err "$tmp/none: No such file" "missing routes file named"
expect 1 "VRP file that is not JSON" -- "$rtrmod" validate -r "$data/vrps/not_json.json" "$tmp/path"
has err 'not_json\.json: line 4, column [0-9]+: ' "JSON error with file, line and column"
expect 1 "VRP file without roas" -- "$rtrmod" validate -r "$data/vrps/no_roas.json" "$tmp/path"
has err 'no "roas"' "no roas named"

# ---- usage ----------------------------------------------------------------------

expect 0 "validate --help" -- "$rtrmod" validate --help
has out '^usage: rtrmod validate ' "usage text"
expect 0 "help validate" -- "$rtrmod" help validate
has out '--invalid-only' "usage lists --invalid-only"
expect 2 "no --vrps" -- "$rtrmod" validate "$tmp/path"
has err 'give --vrps' "missing --vrps explained"
expect 2 "unknown format" -- "$rtrmod" validate -r "$small_vrps" --format mrt "$tmp/path"
has err "unknown route format 'mrt'" "unknown format named"
expect 2 "bad --local-as" -- "$rtrmod" validate -r "$small_vrps" --local-as 4294967296 "$tmp/path"
expect 2 "bad --now" -- "$rtrmod" validate -r "$small_vrps" --now yesterday "$tmp/path"
expect 2 "two routes files" -- "$rtrmod" validate -r "$small_vrps" "$tmp/path" "$tmp/path"
expect 2 "unknown option" -- "$rtrmod" validate --bogus

[ "$fails" -eq 0 ] && echo "validate: all passed"
exit $((fails != 0))
