#!/usr/bin/env bash
# The browser suite: headless Chromium drives the real console (www/)
# against one real stack (PostgreSQL, the programs, nginx) in a temporary
# directory, always torn down; KEEP_STACK=1 keeps it.
#
# Needs node 18 or later, npm and Chromium (Debian's nodejs, npm and
# chromium; script/deps installs them): without them it skips (exit 77).
# playwright-core, pinned, is installed with npm into
# $top_builddir/tests/browser/node_modules (never the source tree, which may
# be read-only), only when that version is not there yet. The tests are
# console.test.mjs; the screenshot of every state they reach goes to
# $top_builddir/tests/browser/screenshots/, their output to
# console.test.log beside it. Ends with "N passed, N failed", counting
# every sanitizer report the programs logged as a failure.
#
# The console signs in with single sign-on: the test identity provider
# (tests/idp/idp.mjs) runs beside the stack with four users (a super
# admin, an account admin and an end user of org-demo, and a user of an
# organisation no account is mapped to); suite_teardown stops it.
#
#   top_srcdir, top_builddir   set by make check (absolute)
#   CHROMIUM                   the browser (/usr/bin/chromium)
set -uo pipefail

src=${top_srcdir:?}
build=${top_builddir:?}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
out=$build/tests/browser

skip() {
	echo "browser suite skipped: $*"
	exit 77
}

command -v node >/dev/null 2>&1 || skip "node is not installed (Debian package nodejs)"
command -v npm >/dev/null 2>&1 || skip "npm is not installed (Debian package npm)"
[ -x "$CHROMIUM" ] || skip "$CHROMIUM is not installed (Debian package chromium)"
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 18 ] || skip "node $node_major is too old: 18 or later is needed"
# Pinned. 1.61.0 is the last to run on node 18 (Debian 12's own nodejs);
# both drive Debian 12's Chromium 156.
if [ "$node_major" -ge 20 ]; then
	PLAYWRIGHT_VERSION=1.65.1
else
	PLAYWRIGHT_VERSION=1.61.0
fi

mkdir -p "$out" || { echo "cannot create $out"; echo "0 passed, 1 failed"; exit 1; }
installed=$(node -p 'require(process.argv[1]).version' \
    "$out/node_modules/playwright-core/package.json" 2>/dev/null || true)
if [ "$installed" != "$PLAYWRIGHT_VERSION" ]; then
	echo "installing playwright-core@$PLAYWRIGHT_VERSION into $out"
	if ! npm install --prefix "$out" "playwright-core@$PLAYWRIGHT_VERSION" \
	    --no-audit --no-fund --no-save --silent; then
		echo "npm could not install playwright-core@$PLAYWRIGHT_VERSION"
		echo "0 passed, 1 failed"
		exit 1
	fi
fi

# shellcheck source=tests/suite-lib.sh
. "$src/tests/suite-lib.sh"
IDP_PID=""
suite_stack_dir browser
export COCKPIT_BUILD_DIR=$build COCKPIT_FAST_DB=1 COCKPIT_WORKERS=${COCKPIT_WORKERS:-2}
# The stack's alert deliverer posts to the tests' own receiver, on 127.0.0.1.
export COCKPIT_ALLOW_PRIVATE_URLS=on

# The test identity provider, whose sign-in page the tests click through.
mkdir -p "$DIR/log"
cat >"$DIR/idp-users.json" <<'USERS'
[
  {"sub": "u-super", "email": "super@demo.test", "name": "Sam Super",
   "org_id": "org-platform",
   "roles": ["cockpit-super-admin"]},
  {"sub": "u-admin", "email": "admin@demo.test", "name": "Ada Admin",
   "org_id": "org-demo", "roles": ["cockpit-account-admin"]},
  {"sub": "u-user", "email": "user@demo.test", "name": "Uma User",
   "org_id": "org-demo", "roles": []},
  {"sub": "u-stray", "email": "stray@nowhere.test", "name": "Stray User",
   "org_id": "org-none", "roles": []}
]
USERS
suite_idp "$DIR/idp-users.json"

if ! "$src/script/stack" start "$DIR" 0; then
	echo "the stack did not start; its logs:"
	tail -n 30 "$DIR"/log/*.log 2>/dev/null || true
	echo "0 passed, 1 failed"
	exit 1
fi
# shellcheck disable=SC1091
. "$DIR/env"

export COCKPIT_CHROMIUM=$CHROMIUM COCKPIT_BROWSER_MODULES=$out/node_modules \
    COCKPIT_SCREENSHOTS=$out/screenshots
mkdir -p "$COCKPIT_SCREENSHOTS"
rm -f "$COCKPIT_SCREENSHOTS"/*.png "$out/console.test.log"
node "$src/tests/browser/console.test.mjs" 2>&1 | tee "$out/console.test.log"
status=${PIPESTATUS[0]}
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/console.test.log" | tail -n 1)
if [ -z "$line" ]; then
	echo "console.test.mjs exited $status without a summary line: counted as failed"
	passed=0
	failed=1
else
	passed=${line%% passed*}
	failed=${line#*, }
	failed=${failed%% failed}
	if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
		echo "console.test.mjs exited $status: counted as failed"
		failed=1
	fi
fi

# What the sanitizers said inside the programs: every report is a failure.
suite_sanitizer_reports
failed=$((failed + SANITIZER_REPORTS))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
