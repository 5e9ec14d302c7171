# shellcheck shell=bash
# Sourced by the suites that run against a whole stack (tests/api,
# tests/browser), which set src and build (top_srcdir, top_builddir).
#
#   suite_stack_dir NAME      makes the temporary stack directory DIR and
#                             the trap that stops the stack (and IDP_PID,
#                             when set) and removes DIR unless KEEP_STACK=1
#   suite_sanitizer_reports   prints every sanitizer report the programs
#                             left in DIR's logs; sets SANITIZER_REPORTS

# src and build are set by the suite that sources this file.
# shellcheck disable=SC2154
suite_teardown() {
	[ -z "${IDP_PID:-}" ] || kill "$IDP_PID" 2>/dev/null || true
	COCKPIT_BUILD_DIR=$build "$src/script/stack" stop "$DIR" >/dev/null 2>&1 || true
	if [ "${KEEP_STACK:-0}" = 1 ]; then
		echo "stack kept in $DIR (start it again with: COCKPIT_BUILD_DIR=$build $src/script/stack start $DIR)"
	else
		rm -rf "$DIR"
	fi
}

suite_stack_dir() {
	DIR=$(mktemp -d "${TMPDIR:-/tmp}/cockpit-$1.XXXXXX")
	trap suite_teardown EXIT
	trap 'exit 130' INT TERM HUP
	export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
	unset COCKPIT_MASTER_KEY COCKPIT_PORT
}

suite_sanitizer_reports() {
	local pattern log n
	pattern='ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:'
	SANITIZER_REPORTS=0
	while IFS= read -r log; do
		n=$(grep -c -E "$pattern" "$log" || true)
		echo "=== sanitizer reports in ${log#"$DIR"/}: $n"
		grep -A 30 -E "$pattern" "$log" | head -n 200 || true
		SANITIZER_REPORTS=$((SANITIZER_REPORTS + n))
	done < <(grep -r -l -E --include='*.log' "$pattern" "$DIR" 2>/dev/null || true)
}
