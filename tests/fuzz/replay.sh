#!/bin/sh
# Replay the pdu_stream fuzz corpus through the fuzz target's own entry
# point (built without libFuzzer), so `make check` catches regressions on
# every input the fuzzer ever found interesting.  Needs top_srcdir and
# top_builddir from the harness (AM_TESTS_ENVIRONMENT).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
exec "$top_builddir/tests/fuzz/replay_pdu_stream" "$top_srcdir/tests/fuzz/corpus"
