#!/bin/bash
# bench/show.sh - `pagemig show` against `numastat -p` on the same target process, on this host.
#
# Usage: bench/show.sh            (from anywhere; needs `make all` first)
#
# Targets (bench/workload.c, built here with cc):
#   anon     8 GiB private anonymous memory in 4 KiB pages (MADV_NOHUGEPAGE), every page written
#   regions  10,000 one-page regions, alternately rw- and r-- so that they cannot merge
#   small    64 MiB, the same as anon: pagemig's peak RSS must not grow with the target
# For each, every command runs once to warm up, then RUNS times, the commands interleaved;
# the median wall time (bash EPOCHREALTIME around fork+exec+wait, output to /dev/null) and the
# ratio to numastat -p are reported (and the minimum, less sensitive to other work on the host),
# with peak RSS from GNU time (%M).  Results go to
# bench/results/show-host-$(uname -r).txt, with the kernel, the date and this method.
# This is a benchmark, not a test: it never fails on a slow result.
#
# Environment: RUNS (5), SHOW_BENCH_MIB (8192), SHOW_BENCH_REGIONS (10000), CLI (build/pagemig),
#              PERF=1 adds a perf profile of `pagemig show` on each target to the results.
set -eu

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
ANON_MIB=${SHOW_BENCH_MIB:-8192}
NREGIONS=${SHOW_BENCH_REGIONS:-10000}
CLI=${CLI:-build/pagemig}
WORKLOAD=build/bench/workload
RESULT=bench/results/show-host-$(uname -r).txt

die() { echo "bench/show: $*" >&2; exit 1; }
say() { echo "bench/show: $*" >&2; }

[ -x "$CLI" ] || die "no $CLI: run 'make all' first"
command -v numastat >/dev/null || die "numastat not found (Debian package numactl)"
if [ ! -x /usr/bin/time ]; then
	say "installing GNU time (Debian package time) for peak RSS"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends time >/dev/null ||
		die "cannot install the time package"
fi
avail_mib=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
[ "$avail_mib" -gt $((ANON_MIB + 1024)) ] ||
	die "needs ${ANON_MIB} MiB + 1 GiB free, ${avail_mib} MiB available (set SHOW_BENCH_MIB)"
map_max=$(cat /proc/sys/vm/max_map_count)
[ "$map_max" -gt $((NREGIONS + 1000)) ] || die "vm.max_map_count $map_max is too low for $NREGIONS regions"

mkdir -p "$(dirname "$WORKLOAD")" bench/results
cc -O2 -Wall -Wextra -o "$WORKLOAD" bench/workload.c || die "cannot build bench/workload.c"

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

# ms CMD...: wall milliseconds of one run, output discarded; a failing command aborts.
ms() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>"$tmp/err" || die "'$*' failed: $(head -c 300 "$tmp/err")"
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
minimum() { tr ' ' '\n' | grep . | sort -n | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# peak_kib CMD...: maximum resident set size, KiB (GNU time %M).
peak_kib() { /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1 && cat "$tmp/rss"; }

# measure NAME: the commands on the running workload; appends one block to $tmp/report.
# The commands are strings split into words on purpose (no argument holds a space).
# shellcheck disable=SC2086
measure() {
	local name=$1 i c pid=$wl_pid
	local -a names=("pagemig show" "pagemig show --summary" "pagemig show --json" "pagemig show -o (no pagemap)"
		"numastat -p")
	local -a cmds=("$CLI show $pid" "$CLI show --summary $pid" "$CLI show --json $pid"
		"$CLI show -o RANGE,SIZE,KIND,POLICY,NODE-BYTES,BAR,PATH $pid" "numastat -p $pid")
	local -a times=("" "" "" "" "")
	local rss_t rss_k regions med base min base_min
	for c in "${!cmds[@]}"; do ms ${cmds[c]} >/dev/null; done # warm-up
	for ((i = 0; i < RUNS; i++)); do
		for c in "${!cmds[@]}"; do times[c]+=" $(ms ${cmds[c]})"; done
	done
	regions=$(wc -l <"/proc/$pid/maps")
	rss_t=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	base=$(echo "${times[4]}" | median)
	base_min=$(echo "${times[4]}" | minimum)
	{
		printf '\n== %s: target %d regions, VmRSS %d KiB (pid %d)\n' "$name" "$regions" "$rss_t" "$pid"
		printf '%-30s %9s %6s %8s %6s %10s   %s\n' command "median ms" ratio "min ms" ratio "peak RSS" "runs (ms)"
		for c in "${!cmds[@]}"; do
			med=$(echo "${times[c]}" | median)
			min=$(echo "${times[c]}" | minimum)
			rss_k=$(peak_kib ${cmds[c]})
			printf '%-30s %9s %5sx %8s %5sx %6s KiB  %s\n' "${names[c]}" "$med" "$(ratio "$med" "$base")" \
				"$min" "$(ratio "$min" "$base_min")" "$rss_k" "${times[c]# }"
		done
	} >>"$tmp/report"
	# what the kernel's text files cost alone: where pagemig's time goes
	{
		printf '%-30s' "cat /proc/PID/{maps,smaps,numa_maps}"
		for f in maps smaps numa_maps; do
			times[0]=""
			for ((i = 0; i < RUNS; i++)); do times[0]+=" $(ms cat "/proc/$pid/$f")"; done
			printf ' %s %s ms,' "$f" "$(echo "${times[0]}" | median)"
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
	echo "tools:    $("$CLI" --version) built from $(git rev-parse --short HEAD 2>/dev/null || echo "?"), numastat from numactl $(dpkg-query -W -f='${Version}' numactl 2>/dev/null || echo '?')"
	echo "method:   bench/show.sh: targets from bench/workload.c; per target one warm-up run of each"
	echo "          command, then $RUNS rounds of all commands interleaved; wall time = bash EPOCHREALTIME"
	echo "          around fork+exec+wait with stdout to /dev/null; median of $RUNS; ratio = median /"
	echo "          numastat -p's median; min and its ratio likewise (the least disturbed run, for a"
	echo "          host shared with other work); peak RSS = GNU time %M of one more run.  As root."
	echo "          '-o (no pagemap)' shows no pagemap column, so show skips reading pagemap."
	cat "$tmp/report"
	printf '\n== the table printer alone: %d show-like rows of 9 cells to /dev/null (bench/table_print.c)\n' \
		"$NREGIONS"
	printers
} >"$RESULT"
cat "$RESULT"
say "wrote $RESULT"
