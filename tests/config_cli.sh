#!/usr/bin/env bash
# The YANG configuration from the command line, end to end on 127.0.0.1:
#  - `rtrmod config check` passes every yang/examples file and refuses the
#    invalid ones (exit 1, the file name and the YANG path in the message);
#    `config print` gives a file that checks, prints the same again, and
#    means the same in XML; `config yang` lists and prints the modules;
#  - `rtrmod serve --config` serves the union of two VRP files (the dump
#    equals the set Python computes from the files), answers `rtrmod config
#    state` (JSON naming a connected router's session) and `config running`
#    on its control socket (mode 0660);
#  - a second listener added + SIGHUP: the new port serves, the first
#    listener serves on, and a router connected before keeps its TCP
#    session (a Serial Query on it gets the same session and serial);
#  - a broken file + SIGHUP, and `config reload`: refused with the YANG
#    path, the process and both listeners serve on;
#  - new data + SIGHUP with the file unchanged: the data is reloaded (new
#    serial, same session), as SIGHUP does without --config;
#  - flags the file covers are refused with --config (exit 2, naming the
#    leaf); a control socket in use by another server is not taken over;
#    SIGTERM exits 0 and removes the socket;
#  - a relay: no sources, two cache-server entries pointing at two `rtrmod
#    serve` upstreams (flag mode): its dump is the union of theirs.
# It shares tests/interop/lib.sh (free ports, spawn and stop by PID, bounded
# waits, the EXIT trap, the watchdog).  Exit: 0 pass, 1 fail, 99 harness.

unset INTEROP_SERVER
# shellcheck source=tests/interop/lib.sh
. "$top_srcdir/tests/interop/lib.sh"

# shellcheck disable=SC2119 # no peer: it checks python3, ps, ss, timeout
need_peer

examples="$top_srcdir/yang/examples"
invalid="$top_srcdir/tests/data/config/invalid"
cli_data="$top_srcdir/tests/data/config/cli"
source_files # $tmp/a.json and $tmp/b.json

# run NAME CMD...: CMD's stdout in $tmp/NAME.out, stderr in $tmp/NAME.err,
# exit status in $st.
run() {
	local name=$1
	last=$1
	shift
	timeout 30 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	st=$?
}

# status_is WHAT WANT: the last run's exit status.
status_is() {
	if [ "$st" -eq "$2" ]; then
		ok "$1: exit $2"
	else
		fail "$1: exit $st, wanted $2"
		cut -c1-300 "$tmp/$last.out" "$tmp/$last.err" | head -n 10 | sed 's/^/  | /'
	fi
}

# has WHAT FILE PATTERN: FILE has a line matching the fixed string.
has() {
	if grep -qF -- "$3" "$2"; then
		ok "$1"
	else
		fail "$1: no '$3' in ${2#"$tmp"/}"
		cut -c1-300 "$2" | head -n 10 | sed 's/^/  | /'
	fi
}

# exits_0 WHAT PID: SIGTERM ends PID with exit status 0 (within 10 s).
exits_0() {
	local st
	stop "$2" 10
	st=$?
	forget "$2"
	if [ "$st" -eq 0 ]; then ok "$1: exit 0 on SIGTERM"; else fail "$1: exit $st on SIGTERM"; fi
}

# ---- config check, print, yang ------------------------------------------------------

n=0
for f in "$examples"/*.json "$examples"/*.xml; do
	[ -f "$f" ] || continue
	run r "$rtrmod" config check "$f"
	status_is "config check $(basename "$f")" 0
	has "config check $(basename "$f") says ok" "$tmp/$last.out" "$f: ok ("
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no example configuration in yang/examples"

# Invalid files: the loader's own set, and three of this test's whose
# faults have known paths.
for f in "$invalid"/*; do
	[ -f "$f" ] || continue
	case "$f" in *.json | *.xml) ;; *) continue ;; esac
	run r "$rtrmod" config check "$f"
	status_is "config check refuses invalid/$(basename "$f")" 1
	has "the refusal of invalid/$(basename "$f") names the file" "$tmp/$last.err" "$f"
done
for case in "bad-port /rtrmod:rtrmod/cache-server/listener" \
	"bad-refresh /rtrmod:rtrmod/sources/refresh-interval" \
	"unknown-leaf /rtrmod:rtrmod/cache-server"; do
	read -r name path <<<"$case"
	f="$cli_data/$name.json"
	run r "$rtrmod" config check "$f"
	status_is "config check refuses cli/$name.json" 1
	has "cli/$name.json: the message names the file" "$tmp/$last.err" "$f"
	has "cli/$name.json: the message has the YANG path" "$tmp/$last.err" "$path"
done
run r "$rtrmod" config check
status_is "config check without a file is a usage error" 2
run r "$rtrmod" config check "$tmp/none.json"
status_is "config check of a missing file" 1
has "a missing file is named" "$tmp/$last.err" "$tmp/none.json"
run r "$rtrmod" config frobnicate
status_is "an unknown config job is a usage error" 2
run r "$rtrmod" config yang
status_is "config yang lists the modules" 0
has "config yang lists rtrmod" "$tmp/$last.out" "rtrmod"
run r "$rtrmod" config yang rtrmod
status_is "config yang rtrmod" 0
has "config yang rtrmod prints the module" "$tmp/$last.out" "module rtrmod {"
run r "$rtrmod" config yang no-such-module
status_is "config yang of an unknown module" 1

# ---- the served configuration --------------------------------------------------------

port1=$(free_port) && port2=$(free_port) || exit 99
[ "$port1" != "$port2" ] || port2=$(free_port)
sock="$tmp/ctl.sock"

# write_config FILE PORT... : sources a.json and b.json (time checks off:
# the data is of 2025), one listener per PORT, the control socket.
write_config() {
	local file=$1 p sep="" listeners=""
	shift
	for p in "$@"; do
		listeners="$listeners$sep{\"address\": \"127.0.0.1\", \"port\": $p}"
		sep=", "
	done
	cat >"$file.new" <<EOF || exit 99
{
  "rtrmod:rtrmod": {
    "cache-server": {
      "listener": [$listeners],
      "refresh-interval": 1234,
      "retry-interval": 567,
      "expire-interval": 8901
    },
    "sources": {
      "source": [
        {"name": "a", "file": "$tmp/a.json"},
        {"name": "b", "file": "$tmp/b.json"}
      ],
      "refresh-interval": 0,
      "check-time": false
    },
    "control": {"socket": "$sock"}
  }
}
EOF
	mv "$file.new" "$file"
}
conf="$tmp/serve.json"
write_config "$conf" "$port1"
run r "$rtrmod" config check "$conf"
status_is "config check of the test's configuration" 0
has "its summary" "$tmp/$last.out" "cache server on with 1 listener, 2 sources"
run r "$rtrmod" config print "$conf"
status_is "config print" 0
cp "$tmp/$last.out" "$tmp/print1.json"
run r "$rtrmod" config check "$tmp/print1.json"
status_is "config print's output checks" 0
run r "$rtrmod" config print "$tmp/print1.json"
same "config print of the print is the same" "$tmp/print1.json" "$tmp/$last.out"
run r "$rtrmod" config print --format xml "$conf"
status_is "config print --format xml" 0
cp "$tmp/$last.out" "$tmp/print1.xml"
run r "$rtrmod" config print "$tmp/print1.xml"
same "the XML print means the same as the JSON" "$tmp/print1.json" "$tmp/$last.out"

# dump NAME PORT: `rtrmod dump` (v2) of 127.0.0.1:PORT as set lines in
# $tmp/NAME; "session serial" in $meta.  Returns 1 quietly on failure.
dump() {
	rm -f "$tmp/$1" "$tmp/$1.json"
	meta=
	timeout 30 "$rtrmod" dump -connect "127.0.0.1:$2" -timeout 10 \
		-file "$tmp/$1.json" >"$tmp/$1.log" 2>&1 || return 1
	"$python" "$vrps_py" set "$tmp/$1.json" >"$tmp/$1" || return 1
	meta=$("$python" -c 'import json, sys
m = json.load(open(sys.argv[1]))["metadata"]
print(m["session_id"], m["serial"])' "$tmp/$1.json") || return 1
}

expect_set "$tmp/want" "$tmp/a.json" "$tmp/b.json"

spawn serve "$rtrmod" serve --config "$conf" -loglevel debug
serve_pid=$spawned
wait_for 15 "serve --config is in place" grep -q "in place; serving serial 0" "$tmp/serve.log" ||
	exit 1
wait_for 10 "it listens on 127.0.0.1:$port1" listening "$port1" || exit 1

if dump d1 "$port1"; then
	same "the dump of port $port1 is the union of the two files" "$tmp/want" "$tmp/d1"
	meta1=$meta
else
	fail "rtrmod dump of port $port1"
	show "$tmp/d1.log" 10
fi
if [ "$(stat -c %a "$sock" 2>/dev/null)" = 660 ]; then
	ok "the control socket has mode 0660"
else
	fail "the control socket's mode: $(stat -c %a "$sock" 2>&1)"
fi

# A router that stays connected (RTR v1): it syncs, writes "synced
# LOCALPORT SESSION SERIAL" to $tmp/hold.state, waits for $tmp/hold.go,
# then sends a Serial Query on the same connection and writes "still
# SESSION SERIAL" (End of Data), "reset" or "closed".  Bounded by 60 s.
cat >"$tmp/hold.py" <<'EOF' || exit 99
import os, socket, struct, sys, time

port, state, go = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=20)


def recvn(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def pdu():
    ver, typ, sess, length = struct.unpack("!BBHI", recvn(8))
    return typ, sess, recvn(length - 8)


def until_end():
    while True:
        typ, sess, body = pdu()
        if typ == 7:
            return sess, struct.unpack("!I", body[:4])[0]
        if typ in (8, 10):
            return None


def say(text):
    with open(state + ".new", "w") as f:
        f.write(text + "\n")
    os.replace(state + ".new", state)


s.sendall(struct.pack("!BBHI", 1, 2, 0, 8))
session, serial = until_end()
say(f"synced {s.getsockname()[1]} {session} {serial}")
limit = time.time() + 60
while not os.path.exists(go) and time.time() < limit:
    time.sleep(0.1)
try:
    s.sendall(struct.pack("!BBHII", 1, 1, session, 12, serial))
    got = until_end()
    say("reset" if got is None else f"still {got[0]} {got[1]}")
except (OSError, EOFError):
    say("closed")
EOF
spawn hold "$python" "$tmp/hold.py" "$port1" "$tmp/hold.state" "$tmp/hold.go"
hold_pid=$spawned
wait_for 15 "a router holds a session on port $port1" grep -q "^synced" "$tmp/hold.state" ||
	exit 1
read -r _ hold_port hold_session hold_serial <"$tmp/hold.state"

# state_has_port FILE PORT: the JSON document has PORT as a value somewhere
# (the router session's remote port).
cat >"$tmp/state.py" <<'EOF' || exit 99
import json, sys

doc = json.load(open(sys.argv[1]))
want = sys.argv[2]


def walk(v):
    if isinstance(v, dict):
        return any(walk(x) for x in v.values())
    if isinstance(v, list):
        return any(walk(x) for x in v)
    return str(v) == want or (isinstance(v, str) and v.endswith(":" + want))


sys.exit(0 if walk(doc) else 1)
EOF
run r "$rtrmod" config state --socket "$sock"
status_is "config state --socket" 0
if "$python" "$tmp/state.py" "$tmp/$last.out" "$hold_port"; then
	ok "config state: JSON with the router session (its port $hold_port)"
else
	fail "config state: no router session with port $hold_port"
	head -c 1500 "$tmp/$last.out" | sed 's/^/  | /'
fi
run r "$rtrmod" config state --config "$conf"
status_is "config state --config (the file's socket)" 0
if "$python" -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/$last.out"; then
	ok "config state --config prints JSON"
else
	fail "config state --config: not JSON"
fi
run r "$rtrmod" config running --socket "$sock"
status_is "config running" 0
same "the running configuration is the file's" "$tmp/print1.json" "$tmp/$last.out"
run r "$rtrmod" config state --socket "$tmp/nobody.sock"
status_is "config state where nothing listens" 1
has "... says so" "$tmp/$last.err" "nothing listens on $tmp/nobody.sock"
run r "$rtrmod" config state
status_is "config state without --socket or --config" 2

# A request line the protocol refuses, and one too long, while a client
# that sends nothing holds a connection (it must not hold up the others).
if "$python" - "$sock" <<'EOF'; then
import socket, sys
idle = socket.socket(socket.AF_UNIX)
idle.connect(sys.argv[1])
for req, want in ((b"frob\n", b"error: unknown request 'frob'"), (b"x" * 200, b"error: ")):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(sys.argv[1])
    s.sendall(req)
    got = b""
    while True:
        c = s.recv(4096)
        if not c:
            break
        got += c
    if not got.startswith(want):
        sys.exit(f"{req[:10]!r}: {got!r}")
EOF
	ok "the control socket answers errors to bad requests"
else
	fail "the control socket's answers to bad requests"
fi

# ---- a second listener + SIGHUP -------------------------------------------------------

write_config "$conf" "$port1" "$port2"
kill -HUP "$serve_pid"
wait_for 15 "SIGHUP: config reloaded" grep -q "config: reloaded $conf" "$tmp/serve.log" || exit 1
wait_for 10 "the new listener on port $port2" listening "$port2"
if dump d2 "$port2"; then
	same "port $port2 serves the same set" "$tmp/want" "$tmp/d2"
else
	fail "rtrmod dump of the new port $port2"
	show "$tmp/d2.log" 10
fi
if dump d3 "$port1" && [ "$meta" = "$meta1" ]; then
	ok "port $port1 serves on, same session and serial ($meta)"
else
	fail "port $port1 after the reload: '$meta', wanted '$meta1'"
	show "$tmp/d3.log" 10
fi
touch "$tmp/hold.go"
wait_for 15 "the held router gets its answer" grep -qv "^synced" "$tmp/hold.state"
if [ "$(cat "$tmp/hold.state")" = "still $hold_session $hold_serial" ]; then
	ok "the router connected before the reload kept its TCP session"
else
	fail "the held router: '$(cat "$tmp/hold.state")', wanted 'still $hold_session $hold_serial'"
fi
stop "$hold_pid" 5
forget "$hold_pid"

# ---- a broken file + SIGHUP, and config reload ------------------------------------------

cp "$conf" "$tmp/good.json"
sed "s/\"port\": $port2}/\"port\": 65536}/" "$tmp/good.json" >"$conf"
kill -HUP "$serve_pid"
wait_for 15 "SIGHUP with a broken file: refused" grep -q "config: $conf refused" "$tmp/serve.log"
has "the refusal in the log has the YANG path" "$tmp/serve.log" "/rtrmod:rtrmod/cache-server/listener"
if alive "$serve_pid"; then ok "the server runs on"; else fail "the server died"; fi
for p in "$port1" "$port2"; do
	if dump d4 "$p"; then
		same "after the refused file, port $p serves the same set" "$tmp/want" "$tmp/d4"
	else
		fail "port $p after the refused file"
	fi
done
run r "$rtrmod" config reload --socket "$sock"
status_is "config reload of the broken file" 1
has "config reload says why, with the YANG path" "$tmp/$last.err" "/rtrmod:rtrmod/cache-server/listener"
cp "$tmp/good.json" "$conf"
run r "$rtrmod" config reload --config "$conf"
status_is "config reload of the good file" 0

# ---- new data, the same file: SIGHUP still reloads the data ------------------------------

# shellcheck disable=SC2119 # both files in $tmp
edit_sources
expect_set "$tmp/want2" "$tmp/a.json" "$tmp/b.json"
if cmp -s "$tmp/want" "$tmp/want2"; then
	say "ERROR: edit_sources left the set as it was"
	exit 99
fi
kill -HUP "$serve_pid"
wait_for 15 "SIGHUP, same file: the sources are reloaded (serial 1)" \
	grep -q "cache: serial 1:" "$tmp/serve.log"
has "... and the file is taken as unchanged" "$tmp/serve.log" "config: reloaded $conf (no change)"
if dump d5 "$port2"; then
	same "port $port2 serves the new data" "$tmp/want2" "$tmp/d5"
	read -r s1 _ <<<"$meta1"
	if [ "$meta" = "$s1 1" ]; then
		ok "... at serial 1 of the same session"
	else
		fail "... at '$meta', wanted '$s1 1'"
	fi
else
	fail "rtrmod dump of port $port2 after the data changed"
fi
cp "$tmp/want2" "$tmp/want"

# ---- flags and the file ---------------------------------------------------------------
run r "$rtrmod" serve --config "$conf" -refresh 10
status_is "serve --config with -refresh" 2
has "-refresh names the leaf" "$tmp/$last.err" \
	"-refresh conflicts with --config: set /rtrmod:rtrmod/sources/refresh-interval in $conf"
run r "$rtrmod" serve -bind "127.0.0.1:$port2" --config "$conf" -cache "$tmp/a.json"
status_is "serve --config with -bind and -cache" 2
has "-bind named" "$tmp/$last.err" "-bind conflicts with --config"
has "-cache named" "$tmp/$last.err" "-cache conflicts with --config"
run r "$rtrmod" serve --config "$conf" --control "$tmp/other.sock"
status_is "--control beside a file that sets the socket" 2
has "... names the leaf" "$tmp/$last.err" "/rtrmod:rtrmod/control/socket"
run r "$rtrmod" serve -cache "$tmp/a.json" --control "$tmp/other.sock"
status_is "--control without --config" 2
run r "$rtrmod" serve --config "$conf" -version
status_is "-version with --config" 0

# A second server with the same control socket: refused, the first one's
# socket left alone.  (Its listeners would clash too; the socket is first.)
sed "s/\"port\": $port1}, .*\]/\"port\": $(free_port)}]/" "$conf" >"$tmp/second.json"
run r "$rtrmod" serve --config "$tmp/second.json"
status_is "a second server on a control socket in use" 1
has "... is told another process listens" "$tmp/$last.err" "another process listens"
run state "$rtrmod" config state --socket "$sock"
status_is "the first server still answers on its socket" 0

exits_0 "rtrmod serve --config" "$serve_pid"
if [ ! -e "$sock" ]; then
	ok "the control socket is removed at exit"
else
	fail "the control socket is left behind"
fi
if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/serve.log"; then
	fail "rtrmod serve --config: sanitizer report"
fi

# A stale socket file (its process gone) is replaced at start.
"$python" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])' "$sock" || exit 99
spawn serve2 "$rtrmod" serve --config "$conf"
wait_for 15 "serve --config starts over a stale socket file" \
	grep -q "in place; serving serial 0" "$tmp/serve2.log"
run state "$rtrmod" config state --socket "$sock"
status_is "... and answers on it" 0
exits_0 "serve --config over a stale socket file" "$spawned"

# ---- a relay of two upstreams ------------------------------------------------------------

up1=$(free_port) && up2=$(free_port) && relay=$(free_port) || exit 99
spawn up1 "$rtrmod" serve -bind "127.0.0.1:$up1" -cache "$tmp/a.json" -checktime=false
spawn up2 "$rtrmod" serve -bind "127.0.0.1:$up2" -cache "$tmp/b.json" -checktime=false
wait_for 15 "upstream 1 listens" listening "$up1" || exit 1
wait_for 15 "upstream 2 listens" listening "$up2" || exit 1
cat >"$tmp/relay.json" <<EOF || exit 99
{
  "rtrmod:rtrmod": {
    "client": {
      "cache-servers": {
        "cache-server": [
          {"address": "127.0.0.1", "server-port": $up1, "preference": 1},
          {"address": "127.0.0.1", "server-port": $up2, "preference": 1}
        ]
      }
    },
    "cache-server": {
      "listener": [{"address": "127.0.0.1", "port": $relay}]
    }
  }
}
EOF
run r "$rtrmod" config check "$tmp/relay.json"
status_is "config check of the relay" 0
has "its summary" "$tmp/$last.out" "2 caches, cache server on with 1 listener, 0 sources"
spawn relay "$rtrmod" serve --config "$tmp/relay.json" -loglevel debug
relay_pid=$spawned
wait_for 15 "the relay listens" listening "$relay" || exit 1
# relay_synced: the relay serves the union of both upstreams.
# shellcheck disable=SC2317 # called through wait_for
relay_synced() {
	dump dr "$relay" && cmp -s "$tmp/want" "$tmp/dr"
}
if wait_for 30 "the relay serves the union of its two upstreams" relay_synced; then
	same "the relay's dump" "$tmp/want" "$tmp/dr"
else
	[ -f "$tmp/dr" ] && same "the relay's dump" "$tmp/want" "$tmp/dr"
	show "$tmp/dr.log" 10
fi
exits_0 "the relay" "$relay_pid"

# No sanitizer report from any run (in a sanitizer build).
for f in "$tmp"/*.log "$tmp"/*.err; do
	if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f"; then
		fail "sanitizer report in ${f#"$tmp"/}"
		grep -E -A20 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" | head -n 30 |
			sed 's/^/  | /'
	fi
done

finish
