#!/bin/bash
# run-unit.sh - run host test programs, one line each, results appended to a file.
#
#   tests/run-unit.sh RESULTS BIN...
#
# Each BIN runs from the current directory with stdin from /dev/null and a timeout
# (UNIT_TIMEOUT seconds, default 120).  Exit 0 = pass, 77 = skip (reason: the last line it printed),
# anything else = fail (its output is shown).  RESULTS gets one line per test:
#   PASS|FAIL|SKIP <dir>/<name>[host] <short reason>
# Exit status: 0 when no test failed.
set -eu

TIMEOUT=${UNIT_TIMEOUT:-120}
TAIL_LINES=40

[ $# -ge 1 ] || { sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
results=$1
shift
: >>"$results" || { echo "run-unit: cannot write '$results'" >&2; exit 2; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
nfail=0

# record STATUS NAME REASON: the results line and the readable one.
record() {
	echo "$1 $2[host] $3" >>"$results"
	printf '%-4s  %s [host]  %s\n' "$1" "$2" "$3"
	if [ "$1" = FAIL ]; then
		nfail=$((nfail + 1))
		tail -n "$TAIL_LINES" "$out" | sed 's/^/      | /'
	fi
}

for bin in "$@"; do
	name=$(basename "$(dirname "$bin")")/$(basename "$bin")
	if [ ! -x "$bin" ]; then
		: >"$out"
		record FAIL "$name" "no such test binary"
		continue
	fi
	t0=${EPOCHREALTIME/./}
	rc=0
	timeout -k 10 "$TIMEOUT" "$bin" </dev/null >"$out" 2>&1 || rc=$?
	t=$((${EPOCHREALTIME/./} - t0))
	secs=$((t / 1000000)).$((t % 1000000 / 100000))s
	last=$(grep -v '^[[:space:]]*$' "$out" | tail -n 1 | cut -c 1-160 || true)
	case $rc in
	0) record PASS "$name" "$secs" ;;
	77) record SKIP "$name" "${last:-no reason given}" ;;
	124 | 137) record FAIL "$name" "timed out after ${TIMEOUT}s" ;;
	*)
		if [ "$rc" -gt 128 ]; then
			record FAIL "$name" "killed by signal $((rc - 128))${last:+: $last}"
		else
			record FAIL "$name" "exit status $rc${last:+: $last}"
		fi
		;;
	esac
done
[ "$nfail" -eq 0 ]
