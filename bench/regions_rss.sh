#!/bin/bash
# bench/regions_rss.sh - peak RSS of `pagemig move` over targets of many one-page regions, in the
# QEMU NUMA lab; writes bench/results/regions-rss-lab-<kernel>.txt.
#
# Usage:
#   bench/regions_rss.sh [options]
#
# Options:
#   --kernel K        lab kernel (default 6.12)
#   --regions LIST    comma-separated region counts, multiples of 512 (default 1024,10240,102400)
#   --baseline REV    also measure pagemig built from git revision REV, in the same boot
#   --out DIR         where the result file goes (default bench/results)
#   -h, --help        this text
#
# Each target (bench/lab/move_bench.c -g N: N regions of one 4 KiB page, alternately rw- and r--
# so that the kernel cannot merge them, faulted in on node 0, vm.max_map_count raised) is moved
# once to node 2 by `pagemig move PID 0 2 --no-progress`; at the largest count also with
# --dry-run and with `-o RANGE` (the smallest table).  ru_maxrss is wait4()'s, of the whole
# command.  Memory, not time: one repetition, no warm-up.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cmdline="bench/regions_rss.sh $*"
kernel=6.12 regions=1024,10240,102400 baseline="" out=$ROOT/bench/results

usage() {
	sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}
die() { echo "bench/regions_rss.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2?}; shift 2 ;;
	--regions) regions=${2?}; shift 2 ;;
	--baseline) baseline=${2?}; shift 2 ;;
	--out) out=${2?}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
IFS=, read -r -a counts <<<"$regions"
for n in "${counts[@]}"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] && [ $((n % 512)) = 0 ] || die "bad region count '$n' (a multiple of 512)"
done
largest=$(printf '%s\n' "${counts[@]}" | sort -n | tail -n 1)

cd "$ROOT"
make --no-print-directory all >/dev/null || die "cannot build pagemig (make all)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pagemig-rss.XXXXXX")
trap 'git worktree remove --force "$tmp/base" 2>/dev/null || true; rm -rf "$tmp"' EXIT
cc -O2 -Wall -D_GNU_SOURCE -Itests/lab -o "$tmp/move_bench" bench/lab/move_bench.c ||
	die "cannot build bench/lab/move_bench.c"
cp build/pagemig "$tmp/pagemig"
ver() { echo "$("$1" --version), built from $2"; }
tree_ver="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src tools include || echo ' + uncommitted changes')"
extra=()
if [ -n "$baseline" ]; then
	git worktree add --detach "$tmp/base" "$baseline" >/dev/null 2>&1 || die "cannot check out '$baseline'"
	make --no-print-directory -C "$tmp/base" -j2 all >/dev/null || die "cannot build '$baseline'"
	cp "$tmp/base/build/pagemig" "$tmp/pagemig-base"
	extra=(--extra "$tmp/pagemig-base")
fi

# In the guest: each binary as `pagemig` first on PATH, each count; the largest with two variants.
{
	echo '#!/bin/sh'
	echo 'run() { # NAME BIN'
	echo '	mkdir -p /tmp/bin-$1 && cp $2 /tmp/bin-$1/pagemig'
	for n in "${counts[@]}"; do
		echo "	echo \"RSS \$1 regions=$n move\"; PATH=/tmp/bin-\$1:\$PATH move_bench -s $((n * 4 / 1024)) -g $n -r 1 -w 0 -P 0 -k 4k -T pagemig -f 0 -t 2"
	done
	echo "	echo \"RSS \$1 regions=$largest dry-run\"; PATH=/tmp/bin-\$1:\$PATH move_bench -s $((largest * 4 / 1024)) -g $largest -r 1 -w 0 -P 0 -k 4k -T pagemig -f 0 -t 2 -a --dry-run"
	echo "	echo \"RSS \$1 regions=$largest move -o RANGE\"; PATH=/tmp/bin-\$1:\$PATH move_bench -s $((largest * 4 / 1024)) -g $largest -r 1 -w 0 -P 0 -k 4k -T pagemig -f 0 -t 2 -a -o -a RANGE"
	echo '}'
	[ -n "$baseline" ] && echo 'run baseline /usr/local/bin/pagemig-base'
	echo 'run tree /usr/bin/pagemig'
	echo 'echo RSS-DONE'
} >"$tmp/guest.sh"

log=$tmp/lab.log
LAB_QEMU_ARGS="${LAB_QEMU_ARGS:+$LAB_QEMU_ARGS }-mem-prealloc" lab/lab.sh --kernel "$kernel" --nodes 2048:0,1024:1,2048,512 \
	--cli "$tmp/pagemig" "${extra[@]}" --timeout 3000 --demo "$tmp/guest.sh" "$tmp/move_bench" >"$log" 2>&1 || true
grep -q '^RSS-DONE' "$log" || { tail -n 40 "$log" >&2; die "the guest run did not finish"; }
mkdir -p "$out"
res=$out/regions-rss-lab-$(basename "$kernel").txt
{
	echo "# peak RSS of pagemig move over many one-page regions, QEMU NUMA lab (bench/regions_rss.sh)"
	echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "command:   $cmdline"
	echo "kernel:    $(sed -n 's/^== .*: booted \(.*\) in .*/\1/p' "$log" | head -n 1) (lab kernel '$kernel')"
	echo "tree:      $(ver "$tmp/pagemig" "$tree_ver")"
	[ -n "$baseline" ] && echo "baseline:  $(ver "$tmp/pagemig-base" "$(git rev-parse --short "$baseline")")"
	echo "method:    move_bench -g N -r 1 -w 0 -P 0 -T pagemig: N regions of one 4 KiB page (alternately rw- and"
	echo "           r--), faulted in on node 0, moved by 'pagemig move PID 0 2 --no-progress'; maxrss is"
	echo "           wait4()'s ru_maxrss of the command (KiB)."
	echo
	echo "binary    regions  run                 maxrss_KiB  moved"
	awk '/^RSS /{ split($3, a, "="); name = $2; n = a[2]; run = $4 " " $5 " " $6 }
	     /^  rep 1 pagemig/{ for (i = 1; i <= NF; i++) if ($i == "maxrss") kib = $(i + 1);
	                         printf "%-9s %7s  %-18s %11s  %s\n", name, n, run, kib, /NOT MOVED/ ? "no" : "yes" }' "$log"
} >"$res"
cat "$res"
echo "== wrote $res"
