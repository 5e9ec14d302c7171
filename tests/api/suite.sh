#!/usr/bin/env bash
# The API suites against one real stack (PostgreSQL, the programs, nginx)
# in a temporary directory, always torn down; KEEP_STACK=1 keeps it.
# Every test_* binary ends with "N passed, N failed"; a binary that crashes
# or prints no such line counts as one failure, and so does every sanitizer
# report the programs left in their logs.
set -uo pipefail

src=${top_srcdir:?}
build=${top_builddir:?}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/cockpit-api.XXXXXX")

teardown() {
	COCKPIT_BUILD_DIR=$build "$src/script/stack" stop "$DIR" >/dev/null 2>&1
	if [ "${KEEP_STACK:-0}" = 1 ]; then
		echo "stack kept in $DIR"
	else
		rm -rf "$DIR"
	fi
}
trap teardown EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export COCKPIT_BUILD_DIR=$build COCKPIT_FAST_DB=1 COCKPIT_WORKERS=4 \
    COCKPIT_MAX_REQUESTS=500 COCKPIT_REQUEST_TIMEOUT=3 \
    COCKPIT_STATEMENT_TIMEOUT=20000 COCKPIT_MAX_BODY=1048576
unset COCKPIT_MASTER_KEY

if ! "$src/script/stack" start "$DIR" 0; then
	echo "the stack did not start"
	echo "0 passed, 1 failed"
	exit 1
fi
# shellcheck disable=SC1091
. "$DIR/env"

passed=0
failed=0
run() {
	local bin=$1 out line p f
	echo "=== $(basename "$bin")"
	out=$("$bin" 2>&1)
	echo "$out"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	if [ -z "$line" ]; then
		echo "$(basename "$bin"): no summary line: counted as failed"
		failed=$((failed + 1))
		return
	fi
	p=${line%% passed*}
	f=${line#*, }
	f=${f%% failed}
	passed=$((passed + p))
	failed=$((failed + f))
}

for bin in "$build"/tests/api/test_*; do
	case $bin in *test_faults) continue ;; esac
	[ -x "$bin" ] && [ -f "$bin" ] && run "$bin"
done
[ -x "$build/tests/api/test_faults" ] && run "$build/tests/api/test_faults"

# What the sanitizers said inside the programs.
reports=$(grep -l -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$DIR"/log/*.log 2>/dev/null)
for log in $reports; do
	n=$(grep -c -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log")
	echo "=== sanitizer reports in $(basename "$log"): $n"
	grep -A 30 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log" | head -n 120
	failed=$((failed + n))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
