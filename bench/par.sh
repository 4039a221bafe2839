#!/bin/bash
# bench/par.sh - what two CPUs can buy for one 1 GiB move in the QEMU NUMA lab, and which two-thread
# strategy buys it (issue 10); writes bench/results/par-lab-<kernel>.txt.
#
# Usage:
#   bench/par.sh [options]
#
# Options:
#   --kernel LIST   comma-separated lab kernels (default 6.1,6.12)
#   --size MIB      bytes moved per measurement (default 1024; floor2: two targets of half)
#   --reps N        repetitions, 4 KiB pages (default 5)
#   --reps-thp N    repetitions, THP (default 9: THP times are bimodal in TCG)
#   --nodes SPEC    lab topology (default 2048:0,1024:1,2048,512: the region moves node 0 -> node 2)
#   --out DIR       where the result files go (default bench/results)
#   --timeout S     guest-side limit for one kernel's run (default 1800)
#   -h, --help      this text
#
# The in-guest program is bench/lab/par_bench.c (its header says what each strategy does and what
# is timed), built here with cc against tests/lab/labtest.h.  It uses raw system calls only, no
# pagemig.  TCG timings are noisy: compare ratios within one guest run only.
# Exit status: 0 when every kernel ran and every measurement moved every page.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
kernels=6.1,6.12 size=1024 reps=5 reps_thp=9
nodes=2048:0,1024:1,2048,512 out=$ROOT/bench/results timeout=1800

die() { echo "bench/par.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels=${2?}; shift 2 ;;
	--size) size=${2?}; shift 2 ;;
	--reps) reps=${2?}; shift 2 ;;
	--reps-thp) reps_thp=${2?}; shift 2 ;;
	--nodes) nodes=${2?}; shift 2 ;;
	--out) out=${2?}; shift 2 ;;
	--timeout) timeout=${2?}; shift 2 ;;
	-h | --help) sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
if ! [[ $size =~ ^[1-9][0-9]*$ ]] || [ $((size % 4)) != 0 ]; then die "bad --size '$size' (MiB, a multiple of 4)"; fi
for r in "$reps" "$reps_thp"; do
	if ! [[ $r =~ ^[1-9][0-9]*$ ]] || [ "$r" -gt 32 ]; then die "bad --reps or --reps-thp '$r' (1-32)"; fi
done

cd "$ROOT"
mkdir -p build/bench "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pagemig-par.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -Wall -D_GNU_SOURCE -Itests/lab -o "$tmp/par_bench" bench/lab/par_bench.c -lpthread -lm ||
	die "cannot build bench/lab/par_bench.c"
built="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- bench/lab/par_bench.c 2>/dev/null ||
	echo ' + uncommitted changes')"
cat >"$tmp/guest.sh" <<EOF
#!/bin/sh
echo "guest: \$(uname -r) \$(uname -m), \$(grep -c ^processor /proc/cpuinfo) cpus"
par_bench -s $size -r $reps -R $reps_thp -f 0 -t 2
EOF

# Every 2 s: the host's non-idle jiffies, the qemu processes' CPU jiffies and their count, so that
# the result file can say how much of the host's cores other work took while the guest ran (its
# 2 vCPUs are 2 host threads: a two-thread strategy needs both host cores, one thread needs one).
sample_host() {
	local p q n u ni s i w x y z
	while :; do
		q=0 n=0
		for p in $(pgrep qemu-system-x86); do
			set -- $(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null)
			q=$((q + ${12:-0} + ${13:-0})) n=$((n + 1))
		done
		read -r _ u ni s i w x y z _ </proc/stat
		echo "$(date +%s.%N) $((u + ni + s + x + y + z)) $q $n"
		sleep 2
	done
}
# From sample_host's lines: the cores the guest's qemu and everything else used while the guest
# ran.  The guest is the last qemu process sampled (lab.sh may have waited for other guests): the
# samples since its CPU counter last started over, with one qemu process running.
host_share() {
	awk -v cores="$(nproc)" '{ t[NR] = $1; h[NR] = $2; q[NR] = $3; c[NR] = $4 }
		END {
			e = NR; while (e > 1 && c[e] != 1) e--
			s = e; while (s > 1 && c[s - 1] == 1 && q[s - 1] <= q[s]) s--
			for (i = s + 1; i <= e; i++) {
				dt = t[i] - t[i - 1]; hh = (h[i] - h[i - 1]) / 100; qq = (q[i] - q[i - 1]) / 100; o = hh - qq
				T += dt; Q += qq; O += o; if (o > 0.5 * dt) busy += dt; if (qq > 1.5 * dt) two += dt
			}
			if (T > 0) printf "%.0f s sampled: qemu %.2f cores, other work %.2f cores on average (of %d); other work above half a core %.0f%% of the time; qemu above 1.5 cores %.0f%%", T, Q / T, O / T, cores, 100 * busy / T, 100 * two / T
			else printf "no samples" }' "$1"
}

host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
qemu_ver=$(qemu-system-x86_64 --version | head -n 1)
rc=0
IFS=, read -r -a klist <<<"$kernels"
for k in "${klist[@]}"; do
	name=$(basename "$k")
	res=$out/par-lab-$name.txt
	log=$tmp/lab-$name.log
	echo "== bench par: kernel $k, $size MiB, $reps reps (THP $reps_thp), nodes $nodes"
	t0=$(date +%s)
	sample_host >"$tmp/host-$name.samples" &
	sampler=$!
	set +e
	# lab.sh waits for the host-wide lab lock before booting: the load is read once it holds it.
	LAB_QEMU_ARGS="${LAB_QEMU_ARGS:+$LAB_QEMU_ARGS }-mem-prealloc" lab/lab.sh --kernel "$k" --nodes "$nodes" \
		--timeout "$timeout" --demo "$tmp/guest.sh" "$tmp/par_bench" 2>&1 |
		while IFS= read -r line; do
			case $line in
			*": booting "*) echo "host load at boot: $(cut -d ' ' -f 1-3 /proc/loadavg), $(pgrep -c qemu-system-x86 || true) other qemu guests" ;;
			esac
			printf '%s\n' "$line"
		done | tee "$log"
	krc=${PIPESTATUS[0]}
	set -e
	kill "$sampler" 2>/dev/null || true
	wait "$sampler" 2>/dev/null || true
	secs=$(($(date +%s) - t0))
	if ! grep -q '^RESULT ' "$log"; then
		echo "bench/par.sh: kernel $k: the benchmark did not finish (lab exit $krc); $res not written" >&2
		rc=1
		continue
	fi
	[ "$krc" = 0 ] || rc=1
	{
		echo "# two-CPU move strategies in the QEMU NUMA lab (bench/par.sh; program bench/lab/par_bench.c)"
		echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "kernel:    $(sed -n 's/^kernel: //p' "$log" | head -n 1) (lab kernel '$k'; $(sed -n 's/^== .*: booting \(.*\) (.*/\1/p' "$log" | head -n 1))"
		echo "topology:  lab --nodes $nodes (MiB[:cpu] per node; nodes 2, 3 memory-only), qemu TCG, 2 vCPUs, -mem-prealloc"
		echo "host:      $host_cpu, $(nproc) cores; $qemu_ver"
		echo "program:   bench/lab/par_bench.c at $built"
		echo "run:       $size MiB, $reps reps (4 KiB) and $reps_thp (THP) after 1 warm-up round, run took ${secs}s (with the wait for the lab lock), exit status $krc"
		echo "$(grep -m 1 '^host load at boot' "$log"); at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
		echo "host CPU:  while the guest ran: $(host_share "$tmp/host-$name.samples")"
		echo "           (the guest's 2 vCPUs are host threads: other work on the host's $(nproc) cores adds noise)"
		echo "method:    see the header of bench/lab/par_bench.c and bench/README.md (par)."
		echo "           wall/mp1: ratio of the medians; (per-rep): median of each repetition's ratio to"
		echo "           that repetition's mp1.  CPU: the mover threads' CPU time (CLOCK_THREAD_CPUTIME_ID),"
		echo "           summed; busy: non-idle time of both guest CPUs over the measurement (/proc/stat)."
		echo
		awk '/^guest: /{ p = 1 } p { buf = buf $0 "\n" } /^RESULT /{ out = out buf; buf = "" } END { printf "%s", out }' "$log"
	} >"$res"
	echo "== bench par: wrote $res"
done
exit "$rc"
