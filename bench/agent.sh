#!/bin/bash
# bench/agent.sh - what a target's agent adds to a move, in the QEMU NUMA lab, on each lab kernel;
# writes bench/results/agent-lab-<kernel>.txt.
#
# Usage: bench/agent.sh [--kernel LIST] [--reps N] [--out DIR] [--host]
#   (defaults: 6.1,6.12; 51 repetitions; bench/results)
#   --host: run it on this machine instead (a 0 -> 0 move needs one node), as root; writes
#   bench/results/agent-host-<uname -r>.txt: the same program without the emulator's overhead.
#
# The in-guest program is bench/lab/agent_bench.c (its header says what is timed): a move that
# moves nothing, with and without the target's agent, interleaved; the difference is the agent's
# round trip (connect, HELLO with PREPARE, FINISH).  Target: at most 5 ms added.  TCG timings
# vary between runs: the ratio within one run is what to read, and the absolute figures are an
# upper bound for real hardware.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
kernels=6.1,6.12 reps=51 out=$ROOT/bench/results host=0
die() { echo "bench/agent.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels=${2?}; shift 2 ;;
	--reps) reps=${2?}; shift 2 ;;
	--out) out=${2?}; shift 2 ;;
	--host) host=1; shift ;;
	-h | --help) sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[[ $reps =~ ^[1-9][0-9]*$ ]] && [ "$reps" -ge 3 ] && [ "$reps" -le 201 ] || die "bad --reps '$reps' (3-201)"

cd "$ROOT"
make --no-print-directory all >/dev/null || die "cannot build pagemig (make all)"
mkdir -p build/bench "$out"
${CC:-cc} -O2 -Wall -D_GNU_SOURCE -Iinclude -o build/bench/agent_bench bench/lab/agent_bench.c build/libpagemig.a \
	-lpthread -ldl || die "cannot build bench/lab/agent_bench.c"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pagemig-agent.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf '#!/bin/sh\nagent_bench -r %s\n' "$reps" >"$tmp/guest.sh"
built="built from $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src include 2>/dev/null ||
	echo ' + uncommitted changes')"
rc=0
if [ "$host" = 1 ]; then
	res=$out/agent-host-$(uname -r).txt
	load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
	build/bench/agent_bench -r "$reps" >"$tmp/host.log" || die "agent_bench failed"
	{
		echo "# the agent's round trip in a move, on the host (bench/agent.sh --host; bench/lab/agent_bench.c)"
		echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "machine:   $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
		echo "libpagemig: $built"
		echo "host load: $load0 at the start, $(cut -d ' ' -f 1-3 /proc/loadavg) at the end"
		cat "$tmp/host.log"
	} >"$res"
	cat "$res"
	echo "== bench agent: wrote $res"
	exit 0
fi
IFS=, read -r -a klist <<<"$kernels"
for k in "${klist[@]}"; do
	log=$tmp/lab-$k.log res=$out/agent-lab-$k.txt
	load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
	lab/lab.sh --kernel "$k" --timeout 600 --demo "$tmp/guest.sh" build/bench/agent_bench 2>&1 | tee "$log" || rc=1
	grep -q '^RESULT ' "$log" || { echo "bench/agent.sh: kernel $k did not finish; $res not written" >&2; rc=1; continue; }
	{
		echo "# the agent's round trip in a move, in the QEMU NUMA lab (bench/agent.sh; bench/lab/agent_bench.c)"
		echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "kernel:    $(sed -n 's/^== .*: booting \(.*\) (.*/\1/p' "$log" | head -n 1) (lab kernel '$k'), qemu TCG, 2 vCPUs"
		echo "libpagemig: $built"
		echo "host load: $load0 at the start, $(cut -d ' ' -f 1-3 /proc/loadavg) at the end"
		sed -n '/^kernel: /,/^RESULT /p' "$log" | sed 's/\r$//'
	} >"$res"
	echo "== bench agent: wrote $res"
done
exit "$rc"
