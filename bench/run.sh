#!/bin/bash
# bench/run.sh - `make bench`: every benchmark, each writing its results under bench/results/.
# Runs bench/move.sh (pagemig move vs migratepages vs move_pages in the NUMA lab) and, when
# present, bench/show.sh.  Arguments are passed to bench/move.sh.  Exit status: 0 when all passed.
set -u

BENCH=$(cd "$(dirname "$0")" && pwd)
rc=0
"$BENCH/move.sh" "$@" || rc=1
if [ -f "$BENCH/show.sh" ]; then
	bash "$BENCH/show.sh" || rc=1
fi
exit "$rc"
