#!/bin/bash
# bench/show.sh - `pagemig show` against `numastat -p` on the same target process, on this host.
#
# Usage: bench/show.sh            (from anywhere; needs `make all` first)
#        flock /tmp/pagemig-lab.lock bench/show.sh   (so that no lab guest runs meanwhile)
#
# Targets (bench/workload.c, built here with cc):
#   anon     8 GiB private anonymous memory in 4 KiB pages (MADV_NOHUGEPAGE), every page written
#   regions  10,000 one-page regions, alternately rw- and r-- so that they cannot merge
#   small    64 MiB, the same as anon: pagemig's peak RSS must not grow with the target
# For each, every command runs once to warm up, then RUNS times, the commands interleaved.
# Each run goes through bench/timeit.c: wall time (CLOCK_MONOTONIC around fork+exec+wait4, output
# to /dev/null), CPU time (wait4's user + system time of the command, all its threads) and peak
# RSS (ru_maxrss).  Medians and the ratio to numastat -p's median are reported for wall and CPU
# (and the minimum wall, less sensitive to other work on the host).  Results go to
# bench/results/show-host-$(uname -r).txt, with the kernel, the date and this method.
# This is a benchmark, not a test: it never fails on a slow result.
#
# Environment: RUNS (11), SHOW_BENCH_MIB (8192), SHOW_BENCH_REGIONS (10000), CLI (build/pagemig),
#              SHOW_BENCH_OUT (the result file),
#              PERF=1 adds a perf profile of `pagemig show` on each target to the results.
set -eu

cd "$(dirname "$0")/.."
RUNS=${RUNS:-11}
ANON_MIB=${SHOW_BENCH_MIB:-8192}
NREGIONS=${SHOW_BENCH_REGIONS:-10000}
CLI=${CLI:-build/pagemig}
WORKLOAD=build/bench/workload
TIMEIT=build/bench/timeit
RESULT=${SHOW_BENCH_OUT:-bench/results/show-host-$(uname -r).txt}

die() { echo "bench/show: $*" >&2; exit 1; }
say() { echo "bench/show: $*" >&2; }

[ -x "$CLI" ] || die "no $CLI: run 'make all' first"
command -v numastat >/dev/null || die "numastat not found (Debian package numactl)"
avail_mib=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
[ "$avail_mib" -gt $((ANON_MIB + 1024)) ] ||
	die "needs ${ANON_MIB} MiB + 1 GiB free, ${avail_mib} MiB available (set SHOW_BENCH_MIB)"
map_max=$(cat /proc/sys/vm/max_map_count)
[ "$map_max" -gt $((NREGIONS + 1000)) ] || die "vm.max_map_count $map_max is too low for $NREGIONS regions"

mkdir -p "$(dirname "$WORKLOAD")" bench/results
cc -O2 -Wall -Wextra -o "$WORKLOAD" bench/workload.c || die "cannot build bench/workload.c"
cc -O2 -Wall -Wextra -o "$TIMEIT" bench/timeit.c || die "cannot build bench/timeit.c"

tmp=$(mktemp -d)
wl_pid=""
cleanup() {
	[ -n "$wl_pid" ] && kill "$wl_pid" 2>/dev/null && wait "$wl_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# start_workload ARGS...: run the target, wait for "PID ready"; sets wl_pid.
start_workload() {
	local i
	"$WORKLOAD" "$@" >"$tmp/ready" &
	wl_pid=$!
	for ((i = 0; i < 1200; i++)); do
		grep -q ' ready$' "$tmp/ready" 2>/dev/null && return 0
		kill -0 "$wl_pid" 2>/dev/null || die "workload $* died"
		sleep 0.1
	done
	die "workload $* not ready after 120 s"
}

stop_workload() {
	kill "$wl_pid" 2>/dev/null || true
	wait "$wl_pid" 2>/dev/null || true
	wl_pid=""
}

# run CMD...: "WALL_MS CPU_MS RSS_KIB" of one run, output discarded; a failing command aborts.
run() {
	local w u sy r
	read -r w u sy r < <("$TIMEIT" "$@" 2>"$tmp/err") || true
	[ -n "${r:-}" ] || die "'$*' failed: $(head -c 300 "$tmp/err")"
	awk -v w="$w" -v u="$u" -v s="$sy" -v r="$r" 'BEGIN { printf "%.1f %.1f %d\n", w, u + s, r }'
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
minimum() { tr ' ' '\n' | grep . | sort -n | head -n 1; }
maximum() { tr ' ' '\n' | grep . | sort -n | tail -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# measure NAME: the commands on the running workload; appends one block to $tmp/report.
# The commands are strings split into words on purpose (no argument holds a space).
# shellcheck disable=SC2086
measure() {
	local name=$1 i c pid=$wl_pid w cpu rss
	local -a names=("pagemig show" "pagemig show --summary" "pagemig show --json"
		"show --json -o +PRESENT,SWAPPED" "pagemig show -o (no pagemap)" "numastat -p")
	local -a cmds=("$CLI show $pid" "$CLI show --summary $pid" "$CLI show --json $pid"
		"$CLI show --json -o +PRESENT,SWAPPED $pid"
		"$CLI show -o RANGE,SIZE,KIND,POLICY,NODE-BYTES,BAR,PATH $pid" "numastat -p $pid")
	local -a walls=() cpus=() rsss=()
	local nb=$((${#cmds[@]} - 1)) regions rss_t base base_cpu base_min med mcpu min
	for c in "${!cmds[@]}"; do run ${cmds[c]} >/dev/null; done # warm-up
	for ((i = 0; i < RUNS; i++)); do
		for c in "${!cmds[@]}"; do
			read -r w cpu rss < <(run ${cmds[c]})
			walls[c]+=" $w"
			cpus[c]+=" $cpu"
			rsss[c]+=" $rss"
		done
	done
	regions=$(wc -l <"/proc/$pid/maps")
	rss_t=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	base=$(echo "${walls[nb]}" | median)
	base_cpu=$(echo "${cpus[nb]}" | median)
	base_min=$(echo "${walls[nb]}" | minimum)
	{
		printf '\n== %s: target %d regions, VmRSS %d KiB (pid %d)\n' "$name" "$regions" "$rss_t" "$pid"
		printf '%-32s %8s %6s %8s %6s %8s %6s %9s\n' command "wall ms" ratio "CPU ms" ratio "min ms" ratio \
			"peak RSS"
		for c in "${!cmds[@]}"; do
			med=$(echo "${walls[c]}" | median)
			mcpu=$(echo "${cpus[c]}" | median)
			min=$(echo "${walls[c]}" | minimum)
			printf '%-32s %8s %5sx %8s %5sx %8s %5sx %5s KiB\n' "${names[c]}" "$med" "$(ratio "$med" "$base")" \
				"$mcpu" "$(ratio "$mcpu" "$base_cpu")" "$min" "$(ratio "$min" "$base_min")" \
				"$(echo "${rsss[c]}" | maximum)"
		done
		echo "runs, wall ms / CPU ms:"
		for c in "${!cmds[@]}"; do
			printf '  %-30s %s\n' "${names[c]}" "${walls[c]# }"
			printf '  %-30s %s\n' "" "${cpus[c]# }"
		done
	} >>"$tmp/report"
	# what the kernel's text files cost alone: where pagemig's time goes
	{
		printf '%-30s' "cat /proc/PID/{maps,smaps,numa_maps}"
		for f in maps smaps numa_maps; do
			walls[0]=""
			cpus[0]=""
			for ((i = 0; i < RUNS; i++)); do
				read -r w cpu rss < <(run cat "/proc/$pid/$f")
				walls[0]+=" $w"
				cpus[0]+=" $cpu"
			done
			printf ' %s %s ms (CPU %s),' "$f" "$(echo "${walls[0]}" | median)" "$(echo "${cpus[0]}" | median)"
		done
		echo
	} >>"$tmp/report"
	if [ "${PERF:-0}" = 1 ] && command -v perf >/dev/null; then
		perf record -q -o "$tmp/perf.data" -- $CLI show "$pid" >/dev/null 2>&1 &&
			{ echo "-- perf: $CLI show ($name), top self time"
			  perf report -q -i "$tmp/perf.data" --stdio --sort dso,sym 2>/dev/null |
				grep -E '^ +[0-9]' | head -15; } >>"$tmp/report"
	fi
}

# printers: libsmartcols (which pagemig used first) and pagemig's table.c on the same rows.
printers() {
	if ! pkg-config --exists smartcols 2>/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libsmartcols-dev \
			>/dev/null 2>&1 || { echo "(libsmartcols-dev not installable: printers not compared)"; return; }
	fi
	cc -O2 -D_GNU_SOURCE -Iinclude -Itools/pagemig $(pkg-config --cflags smartcols) -o build/bench/table_print \
		bench/table_print.c build/tools/pagemig/{table,print,json,output}.o -lsmartcols ||
		{ echo "(bench/table_print.c did not build)"; return; }
	build/bench/table_print "$NREGIONS" "$RUNS"
}

: >"$tmp/report"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
say "anon: ${ANON_MIB} MiB in 4 KiB pages"
start_workload --anon-mib "$ANON_MIB" --thp 0
measure "anon ${ANON_MIB} MiB, 4 KiB pages"
stop_workload
say "regions: $NREGIONS"
start_workload --regions "$NREGIONS"
measure "$NREGIONS regions"
stop_workload
say "small: 64 MiB"
start_workload --anon-mib 64 --thp 0
measure "small 64 MiB, 4 KiB pages (RSS baseline)"
stop_workload

{
	echo "pagemig show vs numastat -p on $(uname -n)"
	echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "kernel:   $(uname -r) ($(uname -v))"
	echo "cpu:      $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) CPUs online"
	echo "memory:   $(awk '/^MemTotal:/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo), nodes $(cat /sys/devices/system/node/online 2>/dev/null || echo '?')"
	echo "load:     $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after (other work on the host skews the numbers)"
	echo "thp:      $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo '?')"
	echo "tools:    $("$CLI" --version) built from $(git rev-parse --short HEAD 2>/dev/null || echo "?")$(git diff --quiet HEAD -- src tools include 2>/dev/null || echo "+uncommitted"), numastat from numactl $(dpkg-query -W -f='${Version}' numactl 2>/dev/null || echo '?')"
	echo "method:   bench/show.sh: targets from bench/workload.c; per target one warm-up run of each"
	echo "          command, then $RUNS rounds of all commands interleaved; each run through bench/timeit.c:"
	echo "          wall = CLOCK_MONOTONIC around fork+exec+wait4, stdout to /dev/null; CPU = wait4's"
	echo "          user+system time (all threads); medians of $RUNS; ratio = median / numastat -p's median;"
	echo "          min wall and its ratio likewise (the least disturbed run, for a host shared with"
	echo "          other work); peak RSS = the largest ru_maxrss of the runs.  As root."
	echo "          '-o (no pagemap)' shows no pagemap column, so show skips reading pagemap; the default"
	echo "          table, --summary and --json read maps + numa_maps, -o +PRESENT,SWAPPED smaps as well."
	cat "$tmp/report"
	printf '\n== the table printer alone: %d show-like rows of 9 cells to /dev/null (bench/table_print.c)\n' \
		"$NREGIONS"
	printers
} >"$RESULT"
cat "$RESULT"
say "wrote $RESULT"
