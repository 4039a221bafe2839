#!/bin/bash
# bench/move.sh - `pagemig move` against numactl's `migratepages` and one move_pages(2) call,
# in the QEMU NUMA lab (lab/lab.sh), on each kernel; writes bench/results/move-lab-<kernel>.txt.
#
# Usage:
#   bench/move.sh [options]
#
# Options:
#   --kernel LIST   comma-separated lab kernels (default 6.1,6.12)
#   --size MIB      region size per memory kind (default 1024)
#   --reps N        repetitions per tool, 4 KiB pages (default 5)
#   --reps-thp N    repetitions per tool, THP (default 9: THP times are bimodal in TCG)
#   --probe-reps N  stall-probe repetitions per tool and kind (default 3; 0: none)
#   --scale         also the scaling runs: 4 KiB moves of 256, 512 and 1024 MiB, and of 400 MiB in
#                   1,024, 10,240 and 102,400 regions (pagemig, pagemig-1, migratepages; 3 reps)
#   --nodes SPEC    lab topology (default 2048:0,1024:1,2048,512: the region moves node 0 -> node 2)
#   --out DIR       where the result files go (default bench/results)
#   --timeout S     guest-side limit for one kernel's run (default 900)
#   --pagemig-arg A an extra argument for every `pagemig move` (repeatable; e.g. --threads=1):
#                   an experiment, best written elsewhere with --out
#   --tools LIST    the tools of the main run (default all: pagemig,pagemig-1,migratepages,
#                   move_pages,pagemig-pages)
#   --aslr on|off   the guest's address-space randomization (default off: see below)
#   --icount N      instruction counting (LAB_ICOUNT, qemu -icount shift=N, one TCG thread): the
#                   guest's clocks advance 2^N ns per guest instruction, so CPU times count the
#                   instructions each tool makes the guest run, free of the emulator's speed; the
#                   vCPUs share one host thread and one clock, so wall times of several threads
#                   and the stall probe mean nothing there (the probe is off).  Linux 6.1 hangs
#                   bringing up a second vCPU under icount: add --nodes 2048:0,1024,2048,512
#   -h, --help      this text
#
# The in-guest program is bench/lab/move_bench.c (its header says what is timed and how); it is
# built here with cc against tests/lab/labtest.h, and pagemig with `make all` when missing.
# TCG timings are noisy and no hardware numbers: compare ratios within one guest run only.
# ASLR is off in the guest by default: TCG finds the code it translated before by virtual
# address, so with randomized addresses every exec translates each tool's code again, a cost of
# the emulator (0.03-0.04 s of "user" CPU per exec, more for a bigger tool) that no CPU has
# (bench/README.md, "ASLR").  --aslr on measures it.
# Exit status: 0 when every kernel ran and every measurement moved every page.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
kernels=6.1,6.12 size=1024 reps=5 reps_thp=9 probe_reps=3 scale=0
nodes=2048:0,1024:1,2048,512 out=$ROOT/bench/results timeout=1500
pm_args="" tools="" aslr=off icount=""

usage() {
	sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}
die() { echo "bench/move.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels=${2?}; shift 2 ;;
	--size) size=${2?}; shift 2 ;;
	--reps) reps=${2?}; shift 2 ;;
	--reps-thp) reps_thp=${2?}; shift 2 ;;
	--probe-reps) probe_reps=${2?}; shift 2 ;;
	--scale) scale=1; shift ;;
	--nodes) nodes=${2?}; shift 2 ;;
	--out) out=${2?}; shift 2 ;;
	--timeout) timeout=${2?}; shift 2 ;;
	--tools)
		[[ ${2?} =~ ^[a-z0-9_,-]+$ ]] || die "bad --tools '$2'"
		tools=" -T $2"; shift 2 ;;
	--aslr)
		case ${2?} in on | off) aslr=$2 ;; *) die "bad --aslr '$2' (on or off)" ;; esac
		shift 2 ;;
	--pagemig-arg)
		[[ ${2?} =~ ^[A-Za-z0-9=,._-]+$ ]] || die "bad --pagemig-arg '$2'"
		pm_args+=" -a $2"; shift 2 ;;
	--icount)
		[[ ${2?} =~ ^[0-9]$ ]] || die "bad --icount '$2' (a shift, 0-9)"
		icount=$2; probe_reps=0; shift 2 ;;
	-h | --help) usage 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
if ! [[ $size =~ ^[1-9][0-9]*$ ]] || [ $((size % 2)) != 0 ]; then die "bad --size '$size' (MiB, a multiple of 2)"; fi
for r in "$reps" "$reps_thp"; do
	if ! [[ $r =~ ^[1-9][0-9]*$ ]] || [ "$r" -gt 32 ]; then die "bad --reps or --reps-thp '$r' (1-32)"; fi
done
if ! [[ $probe_reps =~ ^[0-9]+$ ]] || [ "$probe_reps" -gt 32 ]; then die "bad --probe-reps '$probe_reps' (0-32)"; fi

cd "$ROOT"
B=build
# Build what the tree has now (a retry covers a file caught mid-edit), then measure a snapshot of
# it: every kernel runs the same binary, whatever gets rebuilt meanwhile.
make --no-print-directory all >/dev/null || { sleep 60; make --no-print-directory all >/dev/null; } ||
	die "cannot build pagemig (make all)"
mkdir -p $B/bench "$out"
if [ ! -x $B/bench/move_bench ] || [ bench/lab/move_bench.c -nt $B/bench/move_bench ] ||
	[ tests/lab/labtest.h -nt $B/bench/move_bench ]; then
	${CC:-cc} -O2 -Wall -D_GNU_SOURCE -Itests/lab -o $B/bench/move_bench bench/lab/move_bench.c ||
		die "cannot build bench/lab/move_bench.c"
fi
command -v migratepages >/dev/null ||
	echo "bench/move.sh: no migratepages on this host (Debian: numactl): measuring without it" >&2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pagemig-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp $B/pagemig "$tmp/pagemig"
pm_ver="$("$tmp/pagemig" --version), sha256 $(sha256sum "$tmp/pagemig" | cut -c 1-12), built from $(
	git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src tools include 2>/dev/null ||
	echo ' + uncommitted changes')"
cat >"$tmp/guest.sh" <<EOF
#!/bin/sh
# In the guest: the benchmark, its output streamed back by lab.sh.
echo "guest: \$(uname -r) \$(uname -m), \$(grep -c ^processor /proc/cpuinfo) cpus"
command -v migratepages >/dev/null && echo "guest: migratepages from numactl (host copy)"
echo $([ $aslr = on ] && echo 2 || echo 0) >/proc/sys/kernel/randomize_va_space
echo "guest: ASLR $aslr (kernel.randomize_va_space = \$(cat /proc/sys/kernel/randomize_va_space))"
move_bench -s $size -r $reps -R $reps_thp -P $probe_reps -f 0 -t 2$tools$pm_args
EOF
if [ "$scale" = 1 ]; then
	cat >>"$tmp/guest.sh" <<EOF
echo "SCALING: 4 KiB pages, node 0 -> node 2, 3 reps, no stall probe"
for s in 256 512 1024; do move_bench -s \$s -r 3 -P 0 -k 4k -T pagemig,pagemig-1,migratepages -f 0 -t 2$pm_args; done
for g in 1024 10240 102400; do move_bench -s 400 -g \$g -r 3 -P 0 -k 4k -T pagemig,pagemig-1,migratepages -f 0 -t 2$pm_args; done
EOF
fi

host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
qemu_ver=$(qemu-system-x86_64 --version | head -n 1)
numactl_ver=$(dpkg-query -W -f '${Version}' numactl 2>/dev/null || echo "?")
rc=0
IFS=, read -r -a klist <<<"$kernels"
for k in "${klist[@]}"; do
	name=$(basename "$k")
	res=$out/move-lab-$name.txt
	log=$tmp/lab-$name.log
	echo "== bench move: kernel $k, $size MiB x $reps reps, nodes $nodes"
	t0=$(date +%s)
	load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
	others=$(pgrep -c qemu-system-x86 || true)
	set +e
	# -mem-prealloc: the host backs all guest memory before boot, so the first migration into a
	# node does not pay the host's first-touch page faults.
	LAB_ICOUNT=$icount LAB_QEMU_ARGS="${LAB_QEMU_ARGS:+$LAB_QEMU_ARGS }-mem-prealloc" lab/lab.sh --kernel "$k" --nodes "$nodes" --cli "$tmp/pagemig" --timeout "$timeout" \
		--demo "$tmp/guest.sh" $B/bench/move_bench 2>&1 | tee "$log"
	krc=${PIPESTATUS[0]}
	set -e
	secs=$(($(date +%s) - t0))
	load1=$(cut -d ' ' -f 1-3 /proc/loadavg)
	if ! grep -q '^RESULT ' "$log"; then
		echo "bench/move.sh: kernel $k: the benchmark did not finish (lab exit $krc); $res not written" >&2
		rc=1
		continue
	fi
	[ "$krc" = 0 ] || rc=1
	{
		echo "# pagemig move benchmark in the QEMU NUMA lab (bench/move.sh; program bench/lab/move_bench.c)"
		echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "kernel:    $(sed -n 's/^kernel: //p' "$log" | head -n 1) (lab kernel '$k'; $(sed -n 's/^== .*: booting \(.*\) (.*/\1/p' "$log" | head -n 1))"
		echo "topology:  lab --nodes $nodes (MiB[:cpu] per node; nodes 2, 3 memory-only), qemu TCG, 2 vCPUs"
		[ -z "$icount" ] || echo "icount:    qemu -icount shift=$icount,sleep=off, one TCG thread: guest time is $((1 << icount)) ns per guest instruction (CPU times count instructions; wall times of several threads and pauses mean nothing)"
		echo "host:      $host_cpu, $(nproc) cores; $qemu_ver; numactl $numactl_ver"
		echo "pagemig:   $pm_ver${pm_args:+ (extra arguments:${pm_args// -a / })}"
		echo "aslr:      $aslr in the guest (kernel.randomize_va_space $([ $aslr = on ] && echo 2 || echo 0))${tools:+; tools${tools# -T}}"
		echo "run:       $size MiB per kind, $reps reps (4 KiB) and $reps_thp (THP), stall probe $probe_reps reps$([ "$scale" = 1 ] && echo ", scaling runs"), guest run took ${secs}s, exit status $krc"
		echo "host load: loadavg $load0 at the start, $load1 at the end; $others other qemu guests at the start"
		echo "           (the guest's 2 vCPUs are host threads: other work on the host's $(nproc) cores adds noise)"
		cat <<EOF
method:    per kind, one untimed warm-up round, then per repetition the tools take turns (pagemig,
           pagemig-1, migratepages, move_pages, pagemig-pages; in reverse order every other
           repetition), each on a fresh target process whose region was
           faulted in on node 0 (set_mempolicy BIND, then back to default policy); the target's setup
           is never timed.  Guest memory is preallocated on the host (qemu -mem-prealloc).
           Timed with CLOCK_MONOTONIC:
             pagemig       fork + exec 'pagemig move PID 0 2 --no-progress' + wait4()
             pagemig-1     the same with --threads=1
             migratepages  fork + exec 'migratepages PID 0 2' + wait4()
             move_pages    the single move_pages(2) call alone, MPOL_MF_MOVE, arrays built untimed
                           (4k: one address per 4 KiB page; thp: one per 2 MiB page)
             pagemig-pages 'pagemig move PID 0 2 --no-progress --engine=pages': every page with
                           move_pages(2) on the default threads (the default, like pagemig-1, moves
                           the whole process with migrate_pages(2))
           After each, a placement query (move_pages, nodes = NULL) of every 4 KiB page of the region
           decides success: a measurement that left a page off node 2 is marked '!' and is not in
           the medians.  Ratios > 1.0: pagemig was faster.  RSS is wait4() ru_maxrss of the tool;
           CPU seconds are its rusage (user / kernel), summed over its threads: pagemig runs with
           its default options, which may move on several threads (--threads: one per CPU).
           numa_balancing is 0 (the lab's default).  Diagnosis lines come from untimed extras:
           'pagemig --version', the same pagemig command rerun once nothing is left to move, and
           the timing of the placement query; pagemig-1 and migratepages are also rerun once the
           region has moved (nothing left to move) and that rerun's CPU is the 'constant' line:
           what each spends per move beyond moving pages (start, reads, the kernel's walk).
           TCG timings vary 2-3x run to run: read the ratios, never the absolute times, as a
           statement about hardware.
           Stall probe (STALL lines): after one untimed warm-up, pagemig, pagemig-1 and
           migratepages again (in reverse order every other repetition), each on a target
           with a thread that writes every page of the region in a loop and keeps its longest
           pause between two clock reads (one every 8 pages); '(no tool)' is that thread's
           longest pause with nothing moving, for as long as the slowest tool took.
           COST lines: median wall and CPU per GiB, wall per 1000 regions (the scaling runs).
EOF
		echo
		awk '/^guest: /{ p = 1 } p { buf = buf $0 "\n" } /^RESULT /{ out = out buf; buf = "" } END { printf "%s", out }' "$log"
	} >"$res"
	echo "== bench move: wrote $res"
done
exit "$rc"
