# shellcheck shell=bash
# Sourced by the suites that run against a whole stack (tests/api,
# tests/browser), which set src and build (top_srcdir, top_builddir).
#
#   suite_stack_dir NAME      makes the temporary stack directory DIR and
#                             the trap that stops the stack (and IDP_PID,
#                             when set) and removes DIR unless KEEP_STACK=1
#   suite_idp [USERS_FILE]    starts the test identity provider in DIR
#                             (IDP_PID) and exports COCKPIT_TEST_IDP and
#                             the ZITADEL_* settings pointing at it; on
#                             failure prints why and "0 passed, 1 failed"
#                             and exits
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

suite_idp() {
	mkdir -p "$DIR/log"
	IDP_USERS_FILE=${1:-} node "$src/tests/idp/idp.mjs" 0 \
	    >"$DIR/log/idp.log" 2>&1 &
	IDP_PID=$!
	for _ in $(seq 100); do
		grep -q '^idp ready on ' "$DIR/log/idp.log" 2>/dev/null && break
		sleep 0.1
	done
	COCKPIT_TEST_IDP=$(sed -n 's/^idp ready on //p' "$DIR/log/idp.log")
	if [ -z "$COCKPIT_TEST_IDP" ]; then
		echo "the test identity provider did not start:"
		cat "$DIR/log/idp.log"
		echo "0 passed, 1 failed"
		exit 1
	fi
	export COCKPIT_TEST_IDP ZITADEL_ISSUER=$COCKPIT_TEST_IDP \
	    ZITADEL_AUDIENCE=cockpit-api \
	    ZITADEL_CONSOLE_CLIENT_ID=cockpit-console \
	    ZITADEL_SUPER_ADMIN_ROLE_KEYS=cockpit-super-admin \
	    ZITADEL_ACCOUNT_ADMIN_ROLE_KEYS=cockpit-account-admin \
	    ZITADEL_ACCOUNT_ID_CLAIMS=urn:cockpit:account_id
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
