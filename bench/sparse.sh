#!/bin/bash
# bench/sparse.sh - moving a huge, sparsely populated region in the QEMU NUMA lab: `pagemig move`
# against numactl's `migratepages`, on each lab kernel; writes bench/results/sparse-lab-<kernel>.txt.
#
# Usage: bench/sparse.sh [--kernel LIST] [--size GIB] [--reps N] [--out DIR]
#   (defaults: 6.1,6.12; 1024 GiB; 3 repetitions; bench/results)
#
# The in-guest program is bench/lab/sparse_bench.c (its header says what is timed).  The point:
# where the kernel has PAGEMAP_SCAN (6.7+), pagemig skips a region's holes in one page-table walk;
# before that it reads pagemap over them, 8 bytes per 4 KiB page.  TCG timings: compare ratios.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
kernels=6.1,6.12 size=1024 reps=3 out=$ROOT/bench/results
die() { echo "bench/sparse.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels=${2?}; shift 2 ;;
	--size) size=${2?}; shift 2 ;;
	--reps) reps=${2?}; shift 2 ;;
	--out) out=${2?}; shift 2 ;;
	-h | --help) sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[[ $size =~ ^[1-9][0-9]*$ ]] || die "bad --size '$size' (GiB)"
[[ $reps =~ ^[1-9][0-9]?$ ]] && [ "$reps" -le 16 ] || die "bad --reps '$reps' (1-16)"
command -v migratepages >/dev/null || die "no migratepages on this host (Debian: numactl)"

cd "$ROOT"
make --no-print-directory all >/dev/null || die "cannot build pagemig (make all)"
mkdir -p build/bench "$out"
${CC:-cc} -O2 -Wall -D_GNU_SOURCE -Itests/lab -o build/bench/sparse_bench bench/lab/sparse_bench.c ||
	die "cannot build bench/lab/sparse_bench.c"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pagemig-sparse.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp build/pagemig "$tmp/pagemig"
printf '#!/bin/sh\nsparse_bench -g %s -r %s\n' "$size" "$reps" >"$tmp/guest.sh"
built="built from $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src tools include 2>/dev/null ||
	echo ' + uncommitted changes')"
rc=0
IFS=, read -r -a klist <<<"$kernels"
for k in "${klist[@]}"; do
	log=$tmp/lab-$k.log res=$out/sparse-lab-$k.txt
	load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
	lab/lab.sh --kernel "$k" --cli "$tmp/pagemig" --timeout 900 --demo "$tmp/guest.sh" build/bench/sparse_bench \
		2>&1 | tee "$log" || rc=1
	grep -q '^RESULT ' "$log" || { echo "bench/sparse.sh: kernel $k did not finish; $res not written" >&2; rc=1; continue; }
	{
		echo "# sparse region: pagemig move vs migratepages in the QEMU NUMA lab (bench/sparse.sh; bench/lab/sparse_bench.c)"
		echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "kernel:    $(sed -n 's/^== .*: booting \(.*\) (.*/\1/p' "$log" | head -n 1) (lab kernel '$k'), qemu TCG, 2 vCPUs"
		echo "pagemig:   $("$tmp/pagemig" --version), $built"
		echo "host load: $load0 at the start, $(cut -d ' ' -f 1-3 /proc/loadavg) at the end"
		echo "method:    fresh target per tool and repetition; fork + exec + wait4() timed (CLOCK_MONOTONIC);"
		echo "           a placement query of the written pages decides success.  TCG: read ratios only."
		sed -n '/^kernel: /,/^RESULT /p' "$log" | sed 's/\r$//' | grep -v '^+ '
	} >"$res"
	echo "== bench sparse: wrote $res"
done
exit "$rc"
