# tests/interop/lib.sh: what the interop tests share (sourced, not run).
#
# Each test runs `rtrmod serve` and one real peer on loopback (127.0.0.1
# only), in a private temporary directory that holds every config, socket,
# pid file and log.  Every daemon is a child of the test, started by
# `spawn` and stopped by its PID (TERM, then KILL after a bounded wait) in
# the EXIT trap, whatever happened; every wait is a poll with a deadline.
#
# Exit status: 0 pass, 1 fail, 77 skip (a peer program is not installed;
# under CI=true a missing peer is an error instead, as CI installs them
# with scripts/deps.sh), 99 the harness itself broke.
#
# INTEROP_SERVER=stayrtr runs the same tests against StayRTR instead of
# `rtrmod serve` (one merged -cache file, reloaded by its 1 s refresh
# rather than SIGHUP): a failure there is the test's fault, not rtrmod's.
# INTEROP_KEEP=1 keeps the temporary directory.

set -u
: "${top_srcdir:?}" "${top_builddir:?}"

interop_dir="$top_srcdir/tests/interop"
data="$top_srcdir/tests/data"
rtrmod="$top_builddir/tools/rtrmod"
vrps_py="$interop_dir/vrps.py"
# Debian's own python3 when there is one: it starts in a tenth of the time
# of a version manager's shim, and the waits below run it in a loop.
if [ -z "${PYTHON:-}" ] && [ -x /usr/bin/python3 ]; then
	python=/usr/bin/python3
else
	python=${PYTHON:-python3}
fi
server_kind=${INTEROP_SERVER:-rtrmod}
test_name=$(basename "$0" .sh)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtrmod-interop-$test_name.XXXXXX") || exit 99
fails=0
pids=() # every spawned child, in start order

# The timers `rtrmod serve` hands the peers in End of Data (RFC 8210 §6),
# chosen unlike any default so that a peer echoing them proves it parsed
# them.
rtr_refresh=1234 rtr_retry=567 rtr_expire=8901

# say TEXT: one line, after the seconds since the test began.
say() { printf '[%2ds] %s\n' "$SECONDS" "$*"; }
ok() { say "ok: $*"; }
fail() {
	say "FAIL: $*"
	fails=$((fails + 1))
}

# show FILE [N]: the last N (40) lines of FILE, indented.
show() {
	[ -f "$1" ] || return 0
	say "  --- ${1#"$tmp"/} (last ${2:-40} lines)"
	tail -n "${2:-40}" "$1" | cut -c1-300 | sed 's/^/  | /'
}

# alive PID: the process exists and is not a zombie.
alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case "$st" in
	'' | Z*) return 1 ;;
	esac
	return 0
}

# stop PID [SECONDS]: TERM, wait up to SECONDS (10) for it to go, KILL if it
# did not, reap it.  Returns its exit status (128+N for signal N).
stop() {
	local pid=$1 limit=$((SECONDS + ${2:-10})) st
	kill -TERM "$pid" 2>/dev/null
	while alive "$pid" && [ "$SECONDS" -lt "$limit" ]; do
		sleep 0.1
	done
	if alive "$pid"; then
		say "note: PID $pid ignored SIGTERM for ${2:-10} s; SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	st=$?
	return $st
}

# spawn NAME CMD...: start CMD in the background, stdout and stderr
# appended to $tmp/NAME.log; sets $spawned to its PID.
spawn() {
	local name=$1
	shift
	"$@" >>"$tmp/$name.log" 2>&1 </dev/null &
	spawned=$!
	pids+=("$spawned")
}

# exabgp_start CONF: ExaBGP on CONF with no privilege drop, no control
# pipes and no listener (only its outgoing sessions); sets $exabgp_pid.
exabgp_start() {
	spawn exabgp env exabgp.daemon.drop=false exabgp.api.cli=false \
		exabgp.tcp.bind= exabgp.log.destination=stdout exabgp "$1"
	exabgp_pid=$spawned
}

# forget PID: it has been stopped and reaped by the test itself.
forget() {
	local i
	for i in "${!pids[@]}"; do
		[ "${pids[i]}" = "$1" ] && pids[i]=
	done
	return 0
}

cleanup() {
	local st=$? i pid
	# Nothing cuts the cleanup short (each of its waits is bounded): not a
	# second signal, not a reader gone from stdout.
	trap - EXIT
	trap '' INT TERM HUP PIPE
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		pid=${pids[i]}
		[ -n "$pid" ] || continue
		stop "$pid" 5
	done
	if [ -n "$watchdog" ]; then
		pid=$(ps -o pid= --ppid "$watchdog" | tr -d ' ') # its sleep
		kill -KILL "$watchdog" 2>/dev/null
		[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null
		wait "$watchdog" 2>/dev/null
	fi
	if [ "$st" -ne 0 ] && [ "$st" -ne 77 ]; then
		for f in "$tmp"/*.log; do
			show "$f"
		done
	fi
	if [ "${INTEROP_KEEP:-0}" = 1 ]; then
		say "kept $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$st"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The watchdog: whatever hangs, the test ends (through cleanup) after
# INTEROP_TIMEOUT seconds (180).
watchdog=
# (If cleanup kills its sleep first, the `&&` keeps it from firing.)
(
	trap - EXIT INT TERM HUP
	sleep "${INTEROP_TIMEOUT:-180}" && {
		printf '%s\n' "FAIL: watchdog: still running after ${INTEROP_TIMEOUT:-180} s; stopping it"
		kill -TERM $$
	}
) &
watchdog=$!

# peer_missing WHAT: skip (77) as a peer is not installed; but under CI,
# which installs every peer, that is an error.
peer_missing() {
	if [ "${CI:-}" = true ]; then
		say "ERROR: peer $1 is missing under CI (scripts/deps.sh installs it)"
		exit 99
	fi
	say "SKIP: peer $1 is not installed (scripts/deps.sh installs it)"
	exit 77
}

# need_peer PROGRAM...: each is a command in PATH or an executable path.
need_peer() {
	local p
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || [ -x "$p" ] || peer_missing "$p"
	done
	for p in "$python" ps ss timeout stdbuf; do
		command -v "$p" >/dev/null 2>&1 || {
			say "ERROR: $p is missing"
			exit 99
		}
	done
}

# wait_for SECONDS WHAT CMD...: run CMD every 0.2 s until it succeeds;
# fail (return 1, one FAIL line) when SECONDS pass first.
wait_for() {
	local limit=$((SECONDS + $1)) what=$2 start=$SECONDS
	shift 2
	while :; do
		if "$@" >/dev/null 2>&1; then
			say "ok: $what (after ~$((SECONDS - start)) s)"
			return 0
		fi
		if [ "$SECONDS" -ge "$limit" ]; then
			fail "$what: not within $((limit - start)) s"
			return 1
		fi
		sleep 0.2
	done
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	"$python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# have_v6_loopback: ::1 works here (some containers have no IPv6).
have_v6_loopback() {
	"$python" -c 'import socket
s = socket.socket(socket.AF_INET6)
s.bind(("::1", 0))' 2>/dev/null
}

# listening PORT: something listens on 127.0.0.1:PORT.
listening() {
	ss -Hltn "sport = :$1" | grep -q .
}

# same WHAT WANT GOT: the two files have the same lines; the diff if not.
same() {
	if diff -u "$2" "$3" >"$tmp/diff.out"; then
		ok "$1 ($(wc -l <"$2") lines)"
		return 0
	fi
	fail "$1: differs (- wanted, + got)"
	head -n 40 "$tmp/diff.out" | sed 's/^/  | /'
	return 1
}

# expect_set OUT FILE...: the sorted lines the source FILEs stand for.
expect_set() {
	local out=$1
	shift
	"$python" "$vrps_py" set "$@" >"$out" || exit 99
}

# ---- the server -----------------------------------------------------------

serve_files=()
serve_args=()   # more flags for the next serve_start
serve_also_v6=  # non-empty: rtrmod listens on [::1] too, same port
serve_pid=
serve_port=

# serve_launch: start the server on $serve_port with $serve_files; wait
# (15 s at most) until it listens.  Its log is $tmp/serve.log, appended to.
serve_launch() {
	local limit f args=()
	if [ "$server_kind" = stayrtr ]; then
		"$python" "$vrps_py" merge "$tmp/stayrtr.json" "${serve_files[@]}" || exit 99
		spawn serve stayrtr -bind "127.0.0.1:$serve_port" -cache "$tmp/stayrtr.json" \
			-checktime=false -refresh 1 -metrics.addr "127.0.0.1:$(free_port)" \
			-rtr.refresh $rtr_refresh -rtr.retry $rtr_retry -rtr.expire $rtr_expire \
			-loglevel info ${serve_args[@]+"${serve_args[@]}"}
	else
		for f in "${serve_files[@]}"; do
			args+=(-cache "$f")
		done
		local bind="127.0.0.1:$serve_port"
		[ -z "$serve_also_v6" ] || bind="$bind,[::1]:$serve_port"
		spawn serve "$rtrmod" serve -bind "$bind" "${args[@]}" \
			-checktime=false -refresh 0 \
			-rtr.refresh $rtr_refresh -rtr.retry $rtr_retry -rtr.expire $rtr_expire \
			-loglevel debug ${serve_args[@]+"${serve_args[@]}"}
	fi
	serve_pid=$spawned
	limit=$((SECONDS + 15))
	while alive "$serve_pid" && ! listening "$serve_port" && [ "$SECONDS" -lt "$limit" ]; do
		sleep 0.1
	done
	if alive "$serve_pid" && listening "$serve_port"; then
		say "ok: $server_kind serve listens on 127.0.0.1:$serve_port (PID $serve_pid)"
		return 0
	fi
	stop "$serve_pid" 5
	forget "$serve_pid"
	say "note: the server did not listen on port $serve_port"
	show "$tmp/serve.log" 10
	return 1
}

# serve_start FILE...: serve FILEs on a free loopback port ($serve_port).
# Tries three ports in case one is taken meanwhile.
serve_start() {
	local _
	serve_files=("$@")
	for _ in 1 2 3; do
		serve_port=$(free_port) || exit 99
		serve_launch && return 0
	done
	fail "server: does not start"
	exit 1
}

# serve_restart FILE...: stop the server and start a new one (so a new
# Session ID) on the same port, serving FILEs.
serve_restart() {
	serve_stop
	serve_files=("$@")
	serve_launch && return 0
	fail "server: does not start again on port $serve_port"
	exit 1
}

# serve_reload: the source files changed; have the server reload them now.
serve_reload() {
	if [ "$server_kind" = stayrtr ]; then
		"$python" "$vrps_py" merge "$tmp/stayrtr.json" "${serve_files[@]}" || exit 99
	else
		kill -HUP "$serve_pid"
	fi
}

# serve_stop: SIGTERM; rtrmod must exit 0, with no sanitizer report.
serve_stop() {
	local st
	stop "$serve_pid" 10
	st=$?
	forget "$serve_pid"
	if [ "$server_kind" != rtrmod ]; then
		return 0
	fi
	if [ "$st" -eq 0 ]; then
		ok "rtrmod serve exits 0 on SIGTERM"
	else
		fail "rtrmod serve exit status $st on SIGTERM"
	fi
	if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/serve.log"; then
		fail "rtrmod serve: sanitizer report"
		grep -E -A20 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/serve.log" |
			head -n 40 | sed 's/^/  | /'
	fi
}

# source_files: the committed VRP data the tests serve, copied into $tmp:
# $tmp/a.json, data/vrps-sample.json (a real rpki-client result cut to
# 1,999 VRPs, 395 of them IPv6, with its 2 router keys and 100 ASPAs), and
# $tmp/b.json, tests/data/vrps/rpki-client_sample.json (15 real VRPs, AS0
# and IPv6 among them, and the same 2 router keys; the served set is the
# union, each record once).  Both are of 2025-07-20: their `metadata` is
# old, hence -checktime=false, and so are the records' own `expires` in
# b.json, which rtrmod, like StayRTR, drops whatever -checktime says; the
# copies leave that field out and are otherwise the records unchanged.
source_files() {
	"$python" "$vrps_py" unexpire "$top_srcdir/data/vrps-sample.json" "$tmp/a.json" &&
		"$python" "$vrps_py" unexpire "$data/vrps/rpki-client_sample.json" "$tmp/b.json" ||
		exit 99
}

# edit_sources [DIR]: change DIR's (default $tmp's) a.json and b.json as a
# validator's next run would: a.json loses 40 VRPs (IPv4 and IPv6) and
# gains those of StayRTR's test file it never had; b.json loses 8 (IPv4,
# IPv6 and AS0 ones; one of them, 2001:200:1ba::/48, a.json now has, so it
# stays served) and gains GoRTR's 2.  Each file is replaced by a rename.
edit_sources() {
	local d=${1:-$tmp}
	"$python" "$vrps_py" edit "$d/a.json" "$d/a.json" "$data/vrps/stayrtr_test.rpki.json" 40 &&
		"$python" "$vrps_py" edit "$d/b.json" "$d/b.json" "$data/vrps/gortr_test.rpki.json" 8 ||
		exit 99
}

# finish: the exit status from the FAIL count.
finish() {
	if [ "$fails" -ne 0 ]; then
		say "$test_name: $fails check(s) failed"
		exit 1
	fi
	say "$test_name: all checks passed"
	exit 0
}
