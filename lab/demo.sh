#!/bin/sh
# lab/demo.sh - `make demo`: the main job, inside the NUMA lab guest (lab/lab.sh --demo).
#
# A workload puts 64 MiB on nodes 0 and 1 (the nodes with CPUs); pagemig shows where it lives,
# moves it to the memory-only nodes 2 and 3 (a CXL-like tier), and shows it again.
set -eu

say() { printf '\n=== %s\n' "$*"; }

say "the machine: pagemig nodes"
pagemig nodes

workload 64 0,1 >/tmp/workload.pid &
while [ ! -s /tmp/workload.pid ]; do sleep 0.2; done
pid=$(cat /tmp/workload.pid)

say "where process $pid's memory lives: pagemig show $pid"
pagemig show "$pid"

say "the plan: pagemig move $pid --from 0,1 --to 2,3 --dry-run"
pagemig move "$pid" --from 0,1 --to 2,3 --dry-run

say "the move: pagemig move $pid --from 0,1 --to 2,3"
rc=0
pagemig move "$pid" --from 0,1 --to 2,3 --no-progress || rc=$?
echo "(exit status $rc)"

say "after the move: pagemig show $pid --summary"
pagemig show "$pid" --summary
kill "$pid"
exit "$rc"
