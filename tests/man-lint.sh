#!/usr/bin/env bash
# Lints every manual page with mandoc -Tlint at warning level; each page is
# one test. Without mandoc (MANDOC empty, as configure found none) the
# suite is skipped. Ends with "N passed, N failed".
set -euo pipefail

src=${top_srcdir:?top_srcdir is not set: run through make check}
if [ -z "${MANDOC:-}" ]; then
	echo "mandoc not found: manual lint skipped"
	exit 77
fi

passed=0
failed=0
for page in "$src"/man/*.[1-8]; do
	[ -f "$page" ] || continue
	if out=$("$MANDOC" -Tlint -W warning "$page" 2>&1) && [ -z "$out" ]; then
		echo "ok   ${page##*/}"
		passed=$((passed + 1))
	else
		echo "FAIL ${page##*/}"
		printf '%s\n' "$out"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
