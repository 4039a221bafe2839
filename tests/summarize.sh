#!/bin/sh
# summarize.sh - totals of a results file written by tests/run-unit.sh and lab/lab.sh.
#
#   tests/summarize.sh RESULTS
#
# Lists the failed tests, then prints as its last line exactly: N passed, N failed, N skipped
# Exit status: 1 if a test failed, the file is missing or it holds no results; else 0.
set -eu

[ $# -eq 1 ] || { sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
if [ ! -r "$1" ]; then
	echo "summarize: cannot read '$1': no tests ran" >&2
	echo "0 passed, 0 failed, 0 skipped"
	exit 1
fi

pass=$(grep -c '^PASS ' "$1" || true)
fail=$(grep -c '^FAIL ' "$1" || true)
skip=$(grep -c '^SKIP ' "$1" || true)
if [ "$fail" -gt 0 ]; then
	echo "failed:"
	grep '^FAIL ' "$1" | sed 's/^FAIL /  /'
fi
[ $((pass + fail + skip)) -gt 0 ] || echo "summarize: '$1' holds no results" >&2
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ $((pass + fail + skip)) -gt 0 ]
