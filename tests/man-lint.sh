#!/bin/sh
# Lints every manual page with mandoc; each page is one test.
if [ -z "${MANDOC:-}" ]; then
	echo "mandoc not found: skipped"
	exit 77
fi
passed=0
failed=0
for page in "$top_srcdir"/man/*.[1-8]; do
	out=$("$MANDOC" -Tlint -W warning "$page" 2>&1)
	if [ -z "$out" ]; then
		passed=$((passed + 1))
	else
		echo "$out"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
