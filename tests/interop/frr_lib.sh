# shellcheck shell=bash
# tests/interop/frr_lib.sh: what the FRR bgpd module tests share (sourced
# after lib.sh, not run).
#
# The module under test is FRR_MODULE: `rtrmod` (the default, this
# project's bgpd_rtrmod.so, looked up in FRR_MODULE_DIR, which
# tests/local.am sets to the build's adapters/frr/.libs) or `rpki` (FRR's
# stock module, from FRR's own module directory), so that the same checks
# can be run against the stock module to learn what they should see.
#
# Every bgpd is started here, in the foreground as a child of the test: no
# zebra (-Z), no privilege changes (-S; unless bgpd_unprivileged is set,
# for a bgpd that drops to user frr as a packaged one does), no TCP vty
# (-P 0), BGP on 127.0.0.1 and ::1 only, its config, pid file and vty
# socket in $tmp, more environment from bgpd_env (the module's test
# hooks); it is stopped by its PID.  vtysh reads its own vtysh.conf from $tmp/etc (an
# empty one: `write memory` then has each daemon write its own -f file,
# never /etc/frr/frr.conf).
#
# A module built with AddressSanitizer is loaded with the sanitizer's
# runtime preloaded into bgpd (bgpd itself is not instrumented).

: "${tmp:?lib.sh first}"
export LC_ALL=C # sort, comm and Python's sorted() agree

bgpd=${FRR_BGPD:-/usr/lib/frr/bgpd}
frr_module=${FRR_MODULE:-rtrmod}
frr_module_dir=${FRR_MODULE_DIR:-$top_builddir/adapters/frr/.libs}
# shellcheck disable=SC2034 # used by the scripts that source this
frr_py="$interop_dir/frr.py"
stock_so=
rtrmod_so=
frr_preload=
declare -A bgpd_pids=()
bgpd_env=()          # VAR=VALUE... for the next bgpd_start only
bgpd_unprivileged='' # non-empty: the next bgpd_start drops privileges (no -S)

# frr_need PROGRAM...: bgpd, vtysh, FRR's stock module and PROGRAMs are
# installed (else skip, or under CI fail), and the module under test is
# built.
frr_need() {
	need_peer "$bgpd" vtysh "$@"
	stock_so=$(ls /usr/lib/*/frr/modules/bgpd_rpki.so /usr/lib/frr/modules/bgpd_rpki.so 2>/dev/null | head -n 1)
	[ -n "$stock_so" ] || peer_missing "FRR's RPKI module bgpd_rpki.so (frr-rpki-rtrlib)"
	case "$frr_module" in
	rpki) ;;
	rtrmod)
		rtrmod_so="$frr_module_dir/bgpd_rtrmod.so"
		if [ ! -f "$rtrmod_so" ]; then
			say "ERROR: $rtrmod_so is not built (FRR_MODULE_DIR=$frr_module_dir)"
			exit 99
		fi
		local asan
		asan=$(ldd "$rtrmod_so" 2>/dev/null | awk '/libasan/ { print $3; exit }')
		if [ -n "$asan" ]; then
			frr_preload=$asan
			say "note: the module is built with AddressSanitizer; bgpd runs with $asan preloaded"
		fi
		;;
	*)
		say "ERROR: FRR_MODULE=$frr_module: rtrmod or rpki"
		exit 99
		;;
	esac
	mkdir -p "$tmp/etc" && : >"$tmp/etc/vtysh.conf" || exit 99
	say "module under test: $frr_module ($(if [ "$frr_module" = rpki ]; then echo "$stock_so"; else echo "$rtrmod_so"; fi))"
}

# is_rtrmod: the module under test is this project's.
is_rtrmod() { [ "$frr_module" = rtrmod ]; }

# module_args [ARGS]: sets $modargs, the bgpd flags that load the module
# under test, with ARGS (rtrmod's `-M rtrmod:ARGS`) when given.
module_args() {
	# shellcheck disable=SC2034 # modargs is for the caller
	if is_rtrmod; then
		modargs=(--moduledir "$frr_module_dir" -M "rtrmod${1:+:$1}")
	else
		modargs=(-M rpki)
	fi
}

# bgpd_start NAME CONF PORT BGPD-ARGS...: start a bgpd named NAME with
# config file CONF, BGP on PORT (0: none), more flags (the modules); wait
# (20 s) until vtysh reaches it.  Its PID is ${bgpd_pids[NAME]}, its log
# $tmp/NAME.log.  Returns 1 (one FAIL) when it does not come up.
bgpd_start() {
	local name=$1 conf=$2 port=$3 listen=(-l 127.0.0.1) runas=(-S) pidfile envs=()
	shift 3
	[ -z "$have_v6" ] || listen+=(-l ::1)
	mkdir -p "$tmp/$name.vty" || exit 99
	pidfile="$tmp/$name.pid"
	if [ -n "$bgpd_unprivileged" ]; then
		# As user frr it must reach its config (o+x on $tmp; the files
		# are 644) and write its pid file and vty socket.
		runas=()
		pidfile="$tmp/$name.vty/bgpd.pid"
		chmod o+x "$tmp" && chown frr:frr "$tmp/$name.vty" || exit 99
	fi
	[ -z "$frr_preload" ] || envs+=(LD_PRELOAD="$frr_preload"
		ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}")
	envs+=(${bgpd_env[@]+"${bgpd_env[@]}"})
	bgpd_env=() bgpd_unprivileged=''
	spawn "$name" env ${envs[@]+"${envs[@]}"} "$bgpd" -f "$conf" -i "$pidfile" -z "$tmp/$name.zserv" \
		--vty_socket "$tmp/$name.vty" -Z "${listen[@]}" -p "$port" -P 0 ${runas[@]+"${runas[@]}"} \
		--log stdout "$@"
	bgpd_pids[$name]=$spawned
	local limit=$((SECONDS + 20)) start=$SECONDS
	while :; do
		if ! alive "$spawned"; then
			fail "$name: bgpd exited at start"
			show "$tmp/$name.log" 20
			return 1
		fi
		if vty_up "$name" >/dev/null 2>&1; then
			ok "$name: up, vtysh answers (after ~$((SECONDS - start)) s)"
			return 0
		fi
		if [ "$SECONDS" -ge "$limit" ]; then
			fail "$name: vtysh does not reach bgpd within 20 s"
			return 1
		fi
		sleep 0.2
	done
}

# still_up NAME: bgpd NAME runs; else one FAIL, its log, and the test ends.
still_up() {
	alive "${bgpd_pids[$1]}" && return 0
	fail "$1: bgpd is gone"
	exit 1
}

# bgpd_stop NAME: SIGTERM by PID; a sanitizer report in its log fails.
bgpd_stop() {
	local pid=${bgpd_pids[$1]}
	[ -n "$pid" ] || return 0
	stop "$pid" 10
	forget "$pid"
	bgpd_pids[$1]=
	if grep -Eq 'ERROR: AddressSanitizer|runtime error:' "$tmp/$1.log"; then
		fail "$1: sanitizer report"
		grep -E -A20 'ERROR: AddressSanitizer|runtime error:' "$tmp/$1.log" | head -n 40 | sed 's/^/  | /'
	fi
}

# vt NAME COMMAND...: the commands, in one vtysh run, on bgpd NAME (each
# a -c, so `configure terminal` and the nodes it enters carry over).
vt() {
	local name=$1 args=() c
	shift
	for c in "$@"; do
		args+=(-c "$c")
	done
	timeout 10 vtysh --config_dir "$tmp/etc" -d bgpd --vty_socket "$tmp/$name.vty" "${args[@]}"
}

# vtc NAME COMMAND...: the commands in `configure terminal`.
vtc() {
	local name=$1
	shift
	vt "$name" 'configure terminal' "$@"
}

vty_up() { alive "${bgpd_pids[$1]}" && vt "$1" 'show version' | grep -q FRRouting; }

# connected NAME PORT: `show rpki cache-connection` says the cache on PORT
# (preference 1) is connected.
connected() {
	vt "$1" 'show rpki cache-connection' >"$tmp/$1.conn" &&
		grep -q "127.0.0.1 $2 pref 1 (connected)" "$tmp/$1.conn"
}

# table_is NAME WANT: `show rpki prefix-table json` holds exactly WANT's VRPs
# (a `vrps.py set` file); what it holds is left in $tmp/NAME.table.
table_is() {
	vt "$1" 'show rpki prefix-table json' >"$tmp/$1.table.json" &&
		"$python" "$vrps_py" frr-json "$tmp/$1.table.json" >"$tmp/$1.table" 2>/dev/null &&
		cmp -s "$2" "$tmp/$1.table"
}

# wait_table NAME WANT SECONDS WHAT: table_is, polled; the difference when
# it does not come.
wait_table() {
	if ! wait_for "$3" "$4" table_is "$1" "$2"; then
		same "$4" "$2" "$tmp/$1.table"
		return 1
	fi
}

# rpki_conf PORT: the rpki node the tests start bgpd with.
rpki_conf() {
	cat <<EOF
rpki
 rpki polling_period 30
 rpki retry_interval 5
 rpki cache 127.0.0.1 $1 preference 1
exit
EOF
}

have_v6=
if have_v6_loopback; then
	have_v6=1
fi
