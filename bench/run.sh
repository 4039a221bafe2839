#!/bin/bash
# bench/run.sh - `make bench`: every benchmark, each writing its results under bench/results/.
# Runs bench/move.sh (pagemig move vs migratepages vs move_pages in the NUMA lab), bench/sparse.sh
# (a sparse 1 TiB region, in the lab), bench/agent.sh (what a target's agent adds to a move, in the
# lab), bench/regions_rss.sh (peak RSS over many regions, in the lab, both kernels) and
# bench/show.sh (show vs numastat -p, on the host).
# Arguments are passed to bench/move.sh.  Exit status: 0 when all passed.
set -u

BENCH=$(cd "$(dirname "$0")" && pwd)
rc=0
"$BENCH/move.sh" "$@" || rc=1
"$BENCH/sparse.sh" || rc=1
"$BENCH/agent.sh" || rc=1
for k in 6.1 6.12; do
	"$BENCH/regions_rss.sh" --kernel "$k" || rc=1
done
if [ -f "$BENCH/show.sh" ]; then
	bash "$BENCH/show.sh" || rc=1
fi
exit "$rc"
