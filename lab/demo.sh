#!/bin/sh
# lab/demo.sh - `make demo`: the main job, inside the NUMA lab guest (lab/lab.sh --demo).
#
# A workload puts 64 MiB on nodes 0 and 1 (the nodes with CPUs); pagemig shows where it lives,
# moves it to the memory-only nodes 2 and 3 (a CXL-like tier), and shows it again.  Then a server
# with pinned io_uring buffers is moved from outside: its own handler runs in it, through its agent.
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

# Part 2: a region's own migration function, run by its owner when another process moves it.
# pinned-pool serve keeps io_uring fixed buffers (pinned pages that no kernel call moves) and
# verifies every byte of its I/O; its agent runs the pool's handler for an outside mover.
say "part 2: pinned-pool serve 0 16: 16 MiB of io_uring fixed buffers on node 0, I/O running"
pinned-pool serve 0 16 >/tmp/pool.out 2>/tmp/pool.err &
while ! grep -q READY /tmp/pool.out 2>/dev/null; do sleep 0.2; done
pool=$(sed -n 's/^PID //p' /tmp/pool.out)

say "the processes whose own handlers serve movers: pagemig agents"
pagemig agents

say "the plan: pagemig move $pool --from 0 --to 2 --dry-run --regions anon"
pagemig move "$pool" --from 0 --to 2 --dry-run --regions anon

say "the move, from outside: pagemig move $pool --from 0 --to 2"
rc2=0
pagemig move "$pool" --from 0 --to 2 --no-progress -o RANGE,KIND,PATH,PLANNED,MOVED,LEFT,RESULT,HANDLER || rc2=$?
echo "(exit status $rc2)"
sed 's/^/  /' /tmp/pool.err

say "after the move: pagemig show $pool --regions anon"
pagemig show "$pool" --regions anon

say "the server's verdict (SIGTERM): every byte of its fixed-buffer I/O checked"
kill -TERM "$pool"
rc3=0
wait "$pool" || rc3=$?
sed -n '3,$p' /tmp/pool.out
echo "(server exit status $rc3)"
[ "$rc" = 0 ] && [ "$rc2" = 0 ] && [ "$rc3" = 0 ]
