#!/usr/bin/env bash
# The API suites against one real stack (PostgreSQL, the programs, nginx)
# on a free port in a temporary directory, always torn down; KEEP_STACK=1
# keeps the directory (stopped) and prints where it is.
#
# Runs every $top_builddir/tests/api/test_* binary, test_faults last since
# it stops and kills things. Each ends with "N passed, N failed"; a binary
# that prints no such line, or exits non-zero with no failure counted
# (a crash, a leak report), counts as one failure, and so does every
# sanitizer report the programs left in their logs. Ends with the sum.
#
#   top_srcdir, top_builddir   set by make check (absolute)
#   API_TEST_TIMEOUT           seconds one binary may take (600)
#   API_TESTS                  the binaries to run, by name (all)
set -euo pipefail
export LC_ALL=C

src=${top_srcdir:?top_srcdir is not set: run through make check}
build=${top_builddir:?top_builddir is not set: run through make check}
# shellcheck source=tests/suite-lib.sh
. "$src/tests/suite-lib.sh"
IDP_PID=""
suite_stack_dir api
export COCKPIT_BUILD_DIR=$build COCKPIT_FAST_DB=1 COCKPIT_WORKERS=4 \
    COCKPIT_MAX_REQUESTS=500 COCKPIT_REQUEST_TIMEOUT=3 \
    COCKPIT_STATEMENT_TIMEOUT=20000 COCKPIT_MAX_BODY=1048576
# test_budget_alerts runs the alert deliverer itself, where it can watch it.
export COCKPIT_ALERTS_DELIVER=off
# The webhooks the tests set are their own receivers on 127.0.0.1, as on a
# developer's stack; test_budget_reports restarts budgets.fcgi with this
# off to prove the default, and test_budget_alerts runs the deliverer both
# ways.
export COCKPIT_ALLOW_PRIVATE_URLS=on

# The test identity provider (tests/idp), whose tokens the programs verify.
suite_idp
export COCKPIT_JWKS_COOLDOWN=1
# Its management API's service client (tests/idp/mgmt.mjs), for provisioning.
export ZITADEL_CLIENT_ID=cockpit-provisioner \
    ZITADEL_CLIENT_SECRET=cockpit-provisioner-secret

if ! "$src/script/stack" start "$DIR" 0; then
	echo "the stack did not start; its logs:"
	tail -n 30 "$DIR"/log/*.log 2>/dev/null || true
	echo "0 passed, 1 failed"
	exit 1
fi
# shellcheck disable=SC1091
. "$DIR/env"
echo "stack on $COCKPIT_URL in $DIR"

passed=0
failed=0

# Adds "N passed, N failed" from the end of $1 (a binary's output) to the
# sums; $2 is the binary's exit status.
count() {
	local out=$1 status=$2 name=$3 line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1 || true)
	if [ -z "$line" ]; then
		echo "--- $name exited $status without a summary line: one failure"
		failed=$((failed + 1))
		return
	fi
	p=${line%% passed*}
	f=${line#*, }
	f=${f%% failed}
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "--- $name exited $status after its summary: one failure"
		failed=$((failed + 1))
	fi
}

# Check's own per-test limit (4 s by default) would fail a test that is
# only slow because the machine is busy (make check runs the browser suite
# alongside); suites that need another limit set it in their TCase.
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60}

run() {
	local bin=$1 name status
	name=$(basename "$bin")
	echo "=== $name"
	set +e
	timeout -k 10 "${API_TEST_TIMEOUT:-600}" "$bin" 2>&1 | tee "$DIR/$name.out"
	status=${PIPESTATUS[0]}
	set -e
	[ "$status" -ne 124 ] || echo "--- $name timed out"
	count "$DIR/$name.out" "$status" "$name"
}

selected() {
	[ -z "${API_TESTS:-}" ] && return 0
	case " $API_TESTS " in *" $1 "*) return 0 ;; esac
	return 1
}

tests=()
for bin in "$build"/tests/api/test_*; do
	case $bin in *.o|*test_faults) continue ;; esac
	[ -f "$bin" ] && [ -x "$bin" ] && tests+=("$bin")
done
[ -x "$build/tests/api/test_faults" ] && tests+=("$build/tests/api/test_faults")
if [ ${#tests[@]} -eq 0 ]; then
	echo "no tests/api/test_* binaries in $build: build them with make check"
	failed=$((failed + 1))
fi
for bin in "${tests[@]}"; do
	if selected "$(basename "$bin")"; then
		run "$bin"
	fi
done

# What the sanitizers said inside the programs: every report is a failure.
suite_sanitizer_reports
failed=$((failed + SANITIZER_REPORTS))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
