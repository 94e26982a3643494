#!/usr/bin/env bash
# Install what is needed, build rtrmod and run every test:
#   1. a -Werror build and `make check` (unit, golden vectors, fuzz corpus
#      replay, symbol check, CLI);
#   2. the same suite under AddressSanitizer + UBSan;
#   3. the libFuzzer target built with clang and run over its corpus;
#   4. `make distcheck` (the release tarball builds and passes on its own).
# Every build includes the FRR adapter (adapters/frr), built against the
# installed FRR's source that scripts/frr-source.sh prepares (cached in
# build-frr-source/ across runs).
# Ends with one line "N passed, N failed, N skipped" and exits non-zero if
# anything failed.  Check suites count each test case; other tests count one.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
passed=0 failed=0 skipped=0
failures=()

step() { printf '\n==== %s\n' "$*"; }

# Count a step that is one test in itself.
one() {
	local name=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

# Add up the results of `make check` in build dir $1.
count_suite() {
	local dir=$1 trs log res checks fails errs
	while IFS= read -r trs; do
		log=${trs%.trs}.log
		res=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
		# Check prints "NN%: Checks: N, Failures: N, Errors: N".
		if grep -q '^[0-9]*%: Checks: ' "$log" 2>/dev/null; then
			read -r checks fails errs < <(sed -n \
				's/^[0-9]*%: Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' \
				"$log" | tail -n 1)
			passed=$((passed + checks - fails - errs))
			failed=$((failed + fails + errs))
			if [ "$res" != PASS ] && [ $((fails + errs)) -eq 0 ]; then
				# The program failed outside its test cases (a leak report, say).
				failed=$((failed + 1))
			fi
		else
			case "$res" in
			PASS | XFAIL) passed=$((passed + 1)) ;;
			SKIP) skipped=$((skipped + 1)) ;;
			*) failed=$((failed + 1)) ;;
			esac
		fi
		case "$res" in
		PASS | SKIP | XFAIL) ;;
		*) failures+=("$dir: ${trs#"$dir"/}") ;;
		esac
	done < <(find "$dir/tests" -name '*.trs' | sort)
}

# Run `make check` in build dir $1, configured with the remaining args.
suite() {
	local dir=$1
	shift
	mkdir -p "$dir"
	if ! (cd "$dir" && "$top/configure" -q "$@" && make -s -j"$jobs"); then
		failed=$((failed + 1))
		failures+=("$dir: build")
		return
	fi
	(cd "$dir" && make -s -j"$jobs" check) || true
	for log in $(find "$dir/tests" -name '*.log' ! -name test-suite.log); do
		if ! grep -q '^:test-result: PASS' "${log%.log}.trs" 2>/dev/null; then
			echo "---- $log"
			tail -n 40 "$log"
		fi
	done
	count_suite "$dir"
}

step "dependencies"
if ! scripts/deps.sh; then
	echo "scripts/deps.sh failed"
	echo "0 passed, 1 failed"
	exit 1
fi

step "FRR source for the FRR adapter"
frr_src=
if frr_src=$(scripts/frr-source.sh "$top/build-frr-source"); then
	echo "FRR source: $frr_src"
else
	failed=$((failed + 1))
	failures+=("scripts/frr-source.sh")
fi
frr_flag=()
[ -z "$frr_src" ] || frr_flag=(--with-frr-source="$frr_src")

step "autoreconf"
if ! autoreconf -fi; then
	echo "0 passed, 1 failed"
	exit 1
fi

step "build and check (-Werror)"
suite build --enable-werror "${frr_flag[@]+"${frr_flag[@]}"}"

step "build and check (ASan + UBSan)"
suite build-san --enable-werror --enable-asan --enable-ubsan "${frr_flag[@]+"${frr_flag[@]}"}"

step "fuzz target (clang, libFuzzer), bounded run over the corpus"
fuzz_run() {
	mkdir -p build-fuzz && (cd build-fuzz &&
		CC=clang "$top/configure" -q --enable-fuzzing --enable-asan --enable-ubsan &&
		make -s -j"$jobs" tests/fuzz/fuzz_pdu_stream) || return 1
	rm -rf build-fuzz/corpus && cp -r tests/fuzz/corpus build-fuzz/corpus
	build-fuzz/tests/fuzz/fuzz_pdu_stream -seed=1 -runs=200000 -max_total_time=120 \
		build-fuzz/corpus
}
one "fuzz: bounded libFuzzer run" fuzz_run

step "distcheck"
one "distcheck" bash -c "cd build && make -s -j$jobs distcheck \
	DISTCHECK_CONFIGURE_FLAGS='--enable-werror ${frr_flag[*]+${frr_flag[*]}}'"

step "results"
for f in "${failures[@]+"${failures[@]}"}"; do
	echo "failed: $f"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
