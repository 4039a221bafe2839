#!/bin/bash
# lab.sh - run lab tests (or a demo script) in a QEMU guest with an emulated NUMA topology.
#
# Usage:
#   lab/lab.sh [options] TESTBIN...
#
# Options:
#   --kernel K       6.1 | 6.12 | all (6.1 then 6.12) | a comma list | a path to a vmlinuz (default all)
#   --results FILE   append one line per test: PASS|FAIL|SKIP <name>[<kernel>] <short reason>
#   --cli BIN        the pagemig binary, installed as /usr/bin/pagemig (skipped if missing)
#   --extra BIN      a helper program the tests run (not a test): /usr/local/bin/NAME (repeatable)
#   --demo SCRIPT    boot one kernel, run SCRIPT with /bin/sh in the guest, stream its output,
#                    exit with its status
#   --shell          boot one kernel with an interactive shell on the console (Ctrl-A X quits)
#   --nodes SPEC     topology, comma-separated MiB[:CPU or CPU-CPU] per node
#                    (default 1024:0,1024:1,768,512: nodes 2 and 3 are memory-only)
#   --hmat SPEC      ACPI HMAT figures, comma-separated LATENCY/BANDWIDTH per node, in ns and
#                    MB/s as seen from its nearest CPU node; "none" for no HMAT (default with
#                    the default nodes: 10/20480,10/20480,60/10240,80/5120; none with --nodes)
#   --timeout S      seconds per test inside the guest (default 120; demo default 600)
#   --log DIR        keep each boot's raw console log in DIR
#   -h, --help       this text
#
# TESTBINs are host-built programs: exit 0 pass, 77 skip (reason = last line printed), else fail.
# They run as root in /tmp, one after another in one boot per kernel; a hang or crash fails the
# running test and the rest continue in a fresh boot.  Exit status: 0 when no test failed.
#
# Environment:
#   PAGEMIG_LAB_CACHE    kernel cache (default /var/cache/pagemig-lab), see lab/fetch-kernel.sh
#   LAB_BOOT_TIMEOUT     seconds a boot may take before it counts as hung (default 180)
#   LAB_QEMU_ARGS        extra qemu arguments (word-split)
#   LAB_ICOUNT           N: instruction counting (qemu -icount shift=N, one TCG thread for all
#                        vCPUs): the guest's clocks count 2^N ns per guest instruction, so its
#                        CPU times measure the instructions run, not the emulator's speed.
#                        Linux 6.1 hangs there bringing up a second vCPU: give it one CPU
#                        (--nodes 2048:0,1024,2048,512)
#   LAB_LOCK             lock file that serializes guests on this host (default
#                        /tmp/pagemig-lab.lock; "none": no lock).  TCG guests on a small host
#                        slow each other down and distort every timing, so lab.sh waits for the
#                        lock before the first boot and holds it until its last guest is gone.
set -eu

LAB_DIR=$(cd "$(dirname "$0")" && pwd)
BOOT_TIMEOUT=${LAB_BOOT_TIMEOUT:-180}
GRACE=30        # host-side slack over the guest's own per-test timeout
IDLE_TIMEOUT=60 # between tests: cleanup and the next test's start
TAIL_LINES=40   # output lines shown for a failed test
ESC_RE=$'\e''(\[[0-9;?]*[a-zA-Z]|[()][0-9A-Z]|[c78=>])' # terminal escapes on the serial console

die() { echo "lab: $*" >&2; exit 2; }
note() { echo "lab: $*" >&2; }
usage() {
	sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

kernel_arg=all results="" cli="" demo="" shell=0 timeout="" logdir=""
nodes=1024:0,1024:1,768,512
hmat=10/20480,10/20480,60/10240,80/5120 hmat_set=0 nodes_set=0
tests=()
extras=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel_arg=${2?}; shift 2 ;;
	--results) results=${2?}; shift 2 ;;
	--cli) cli=${2?}; shift 2 ;;
	--extra) extras+=("${2?}"); shift 2 ;;
	--demo) demo=${2?}; shift 2 ;;
	--shell) shell=1; shift ;;
	--nodes) nodes=${2?} nodes_set=1; shift 2 ;;
	--hmat) hmat=${2?} hmat_set=1; shift 2 ;;
	--timeout) timeout=${2?}; shift 2 ;;
	--log) logdir=${2?}; shift 2 ;;
	-h | --help) usage 0 ;;
	--) shift; tests+=("$@"); break ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) tests+=("$1"); shift ;;
	esac
done

# Default HMAT figures belong to the default nodes.
[ "$nodes_set" = 1 ] && [ "$hmat_set" = 0 ] && hmat=none
mode=tests
[ -n "$demo" ] && mode=demo
[ "$shell" = 1 ] && mode=shell
[ "$mode" = demo ] && [ "$shell" = 1 ] && die "--demo and --shell exclude each other"
[ -z "$timeout" ] && { [ "$mode" = tests ] && timeout=120 || timeout=600; }
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "bad --timeout '$timeout'"
[ "$mode" != demo ] || [ -r "$demo" ] || die "cannot read demo script '$demo'"
[ -z "$logdir" ] || mkdir -p "$logdir" || die "cannot create '$logdir'"

for tool in qemu-system-x86_64 busybox cpio ldd; do
	command -v "$tool" >/dev/null || die "'$tool' not found (run scripts/install-deps.sh)"
done

case $kernel_arg in
all) kernels=(6.1 6.12) ;;
*) IFS=, read -r -a kernels <<<"$kernel_arg" ;;
esac
if [ "$mode" != tests ] && [ "${#kernels[@]}" -gt 1 ]; then
	kernels=("${kernels[-1]}")
fi

# --- topology ------------------------------------------------------------------------------------

# Fills qemu_numa and qemu_machine (qemu arguments), mem_total (MiB) and ncpus from the --nodes
# and --hmat specs.
parse_nodes() {
	local spec i j n=0 size hi=-1 lo first=-1
	local -a ents cpus hascpu
	IFS=, read -r -a ents <<<"$nodes"
	qemu_numa=() qemu_machine=pc mem_total=0
	for spec in "${ents[@]}"; do
		[[ $spec =~ ^([1-9][0-9]*)(:([0-9]+)(-([0-9]+))?)?$ ]] || die "bad node '$spec' in --nodes '$nodes'"
		size=${BASH_REMATCH[1]} cpus[n]="" hascpu[n]=0
		if [ -n "${BASH_REMATCH[2]}" ]; then
			lo=${BASH_REMATCH[3]} cpus[n]=$lo hascpu[n]=1
			[ -n "${BASH_REMATCH[5]}" ] && cpus[n]=$lo-${BASH_REMATCH[5]} lo=${BASH_REMATCH[5]}
			[ "$lo" -gt "$hi" ] && hi=$lo
			cpus[n]=,cpus=${cpus[n]}
			[ "$first" -lt 0 ] && first=$n
		fi
		mem_total=$((mem_total + size))
		qemu_numa+=(-object "memory-backend-ram,id=m$n,size=${size}M")
		n=$((n + 1))
	done
	ncpus=$((hi + 1))
	[ "$ncpus" -ge 1 ] || ncpus=2
	[ "$hmat" = none ] || [ "$first" -ge 0 ] || die "--hmat needs a node with CPUs"
	for ((i = 0; i < n; i++)); do
		# With an HMAT, QEMU wants a memory-only node's initiator named: the first CPU node.
		[ "$hmat" != none ] && [ "${hascpu[i]}" = 0 ] && cpus[i]=,initiator=$first
		qemu_numa+=(-numa "node,nodeid=$i${cpus[i]},memdev=m$i")
	done
	# Distances: 10 local, 20 between CPU nodes, 30 to a memory-only node, 40 between two of them.
	for ((i = 0; i < n; i++)); do
		for ((j = i + 1; j < n; j++)); do
			qemu_numa+=(-numa "dist,src=$i,dst=$j,val=$((40 - 10 * (hascpu[i] + hascpu[j])))")
		done
	done
	[ "$hmat" = none ] || parse_hmat "$n"
}

# Appends the HMAT's latencies and bandwidths to qemu_numa from the --hmat spec (LATENCY/BANDWIDTH
# per node, in ns and MB/s, the units sysfs shows them in).  Every CPU node is an initiator; a
# memory-only node has its figures from every initiator, a CPU node from its own CPUs, and from
# another CPU node twice the latency and half the bandwidth.  Reads parse_nodes' hascpu.
parse_hmat() {
	local n=$1 i t lat bw
	local -a ents lats bws
	IFS=, read -r -a ents <<<"$hmat"
	[ "${#ents[@]}" -eq "$n" ] || die "--hmat '$hmat' has ${#ents[@]} entries for $n nodes"
	for ((i = 0; i < n; i++)); do
		[[ ${ents[i]} =~ ^([1-9][0-9]*)/([1-9][0-9]*)$ ]] || die "bad entry '${ents[i]}' in --hmat '$hmat'"
		lats[i]=${BASH_REMATCH[1]} bws[i]=${BASH_REMATCH[2]}
	done
	qemu_machine+=,hmat=on
	for ((i = 0; i < n; i++)); do
		[ "${hascpu[i]}" = 1 ] || continue
		for ((t = 0; t < n; t++)); do
			lat=${lats[t]} bw=${bws[t]}
			if [ "$t" != "$i" ] && [ "${hascpu[t]}" = 1 ]; then
				lat=$((lat * 2)) bw=$((bw / 2))
			fi
			qemu_numa+=(-numa "hmat-lb,initiator=$i,target=$t,hierarchy=memory,data-type=access-latency,latency=$lat"
				-numa "hmat-lb,initiator=$i,target=$t,hierarchy=memory,data-type=access-bandwidth,bandwidth=${bw}M")
		done
	done
}

# --- initramfs -----------------------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/pagemig-lab.XXXXXX")
qpid=""
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
root=$work/root

# install_bin SRC DEST: copy a program and, if it is dynamic, every library ldd names plus the loader.
install_bin() {
	local src=$1 dest=$2 lib
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$src" "$root$dest"
	chmod 755 "$root$dest"
	ldd "$src" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

build_root() {
	local bb app t name
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,root,etc,lab/tests}
	chmod 1777 "$root/tmp"
	bb=$(command -v busybox)
	ldd "$bb" >/dev/null 2>&1 && die "'$bb' is dynamically linked (install busybox-static)"
	cp "$bb" "$root/bin/busybox"
	for app in $("$bb" --list-full); do
		[ -e "$root/$app" ] || ln -s /bin/busybox "$root/$app"
	done
	cp "$LAB_DIR/init.sh" "$root/init"
	chmod 755 "$root/init"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

	if [ -z "$cli" ]; then
		:
	elif [ -x "$cli" ]; then
		install_bin "$cli" /usr/bin/pagemig
	else
		note "no CLI at '$cli': the guest has no pagemig"
	fi
	for t in "${extras[@]}"; do
		[ -x "$t" ] || die "no helper program '$t'"
		install_bin "$t" "/usr/local/bin/$(basename "$t")"
	done
	for t in numactl migratepages; do
		command -v "$t" >/dev/null && install_bin "$(command -v "$t")" "/usr/bin/$t"
	done
	[ "$mode" = demo ] && cp "$demo" "$root/lab/demo.sh"
	# An empty ext4 filesystem (with its journal) for tests of a block filesystem's page cache:
	# 16 MiB, xz-compressed to a few KiB; a test unpacks it in /tmp and mounts it on a loop device.
	if command -v mkfs.ext4 >/dev/null && command -v xz >/dev/null; then
		mkfs.ext4 -q -F -L lab "$work/ext4.img" 16M >/dev/null && xz -c "$work/ext4.img" >"$root/lab/ext4.img.xz"
		rm -f "$work/ext4.img"
	fi
	test_names=()
	for t in "${tests[@]}"; do
		name=$(basename "$t")
		[[ $name =~ ^[A-Za-z0-9_.+-]+$ ]] || die "bad test name '$name'"
		if [[ " ${test_names[*]} " == *" $name "* ]]; then
			note "test '$name' given twice: running it once"
			continue
		fi
		test_names+=("$name")
		[ -f "$t" ] && install_bin "$t" "/lab/tests/$name"
	done
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$work/base.cpio"
}

# make_initrd KERNEL-LABEL VMLINUZ TEST...: base archive plus /lab/run.conf and the kernel's modules
# (/lab/modules, loaded by init.sh; see fetch-kernel.sh) for one boot.
make_initrd() {
	local label=$1 mods
	mods=$(dirname "$2")/modules
	shift 2
	rm -rf "$work/conf"
	mkdir -p "$work/conf/lab"
	[ -s "$mods/order" ] && cp -r "$mods" "$work/conf/lab/modules"
	{
		echo "LAB_MODE=$mode"
		echo "LAB_TESTS='$*'"
		echo "LAB_TIMEOUT=$timeout"
		echo "LAB_KERNEL='$label'"
		echo "LAB_NODES='$nodes'"
		echo "LAB_HMAT='$hmat'"
	} >"$work/conf/lab/run.conf"
	(cd "$work/conf" && find lab -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$work/conf.cpio"
	cat "$work/base.cpio" "$work/conf.cpio" >"$work/initrd"
}

# --- results -------------------------------------------------------------------------------------

nfail=0

# record STATUS NAME LABEL REASON [OUTPUT-FILE]: one results line, one readable line, a failure's tail.
record() {
	local st=$1 name=$2 label=$3 reason=$4 out=${5:-}
	[ "$st" = FAIL ] && nfail=$((nfail + 1))
	[ -n "$results" ] && echo "$st ${name}[$label] $reason" >>"$results"
	printf '%-4s  %s [%s]  %s\n' "$st" "$name" "$label" "$reason"
	if [ "$st" = FAIL ] && [ -n "$out" ] && [ -s "$out" ]; then
		tail -n "$TAIL_LINES" "$out" | sed 's/^/      | /'
	fi
	return 0
}

# The last non-empty line of a file, trimmed to fit a results line.
last_line() {
	grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1 | cut -c 1-160
}

# finish_test NAME LABEL STATUS TIMED-OUT SECONDS OUTPUT-FILE: classify one ended test.
finish_test() {
	local name=$1 label=$2 rc=$3 to=$4 secs=$5 out=$6 splat last
	last=$(last_line "$out")
	splat=$(grep -E -m 1 '(^|\] )(BUG: |WARNING: CPU: |Oops: |Kernel panic|general protection fault|INFO: task .* blocked)' \
		"$out" | cut -c 1-160 || true)
	if [ "$to" = 1 ]; then
		record FAIL "$name" "$label" "timed out after ${timeout}s" "$out"
	elif [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		if [ "$rc" -gt 128 ]; then
			record FAIL "$name" "$label" "killed by signal $((rc - 128))${last:+: $last}" "$out"
		else
			record FAIL "$name" "$label" "exit status $rc${last:+: $last}" "$out"
		fi
	elif [ -n "$splat" ]; then
		record FAIL "$name" "$label" "kernel splat: $splat" "$out"
	elif [ "$rc" = 77 ]; then
		record SKIP "$name" "$label" "${last:-no reason given}"
	else
		record PASS "$name" "$label" "${secs}s"
	fi
}

# --- one boot ------------------------------------------------------------------------------------

now_us() { echo "${EPOCHREALTIME/./}"; }
secs_since() { local d=$(($(now_us) - $1)); printf '%d.%d' $((d / 1000000)) $((d % 1000000 / 100000)); }

# boot KERNEL-LABEL VMLINUZ TEST...: run the tests in one guest.  Sets: booted (0/1), done_tests
# (names that ended or were failed as the crash victim), demo_rc.  Returns 0 if the guest reached DONE.
boot() {
	local label=$1 vmlinuz=$2
	shift 2
	local fifo=$work/console log=$work/console.log line text cur="" rc to deadline left t0 tstart why
	local -a qemu icount=()
	local tcg_thread=multi
	make_initrd "$label" "$vmlinuz" "$@"
	booted=0 done_tests=() demo_rc=1
	# instruction counting runs every vCPU on one TCG thread
	[ -n "${LAB_ICOUNT:-}" ] && tcg_thread=single icount=(-icount "shift=$LAB_ICOUNT,sleep=off")
	# shellcheck disable=SC2054 # commas belong to qemu's option syntax
	qemu=(qemu-system-x86_64 -machine "$qemu_machine" -accel "tcg,thread=$tcg_thread" -smp "$ncpus,sockets=$ncpus,cores=1,threads=1" -m "${mem_total}M" "${qemu_numa[@]}"
		-kernel "$vmlinuz" -initrd "$work/initrd"
		-append "console=ttyS0 loglevel=5 panic=-1 mitigations=off"
		-display none -no-reboot -nodefaults "${icount[@]}")
	# shellcheck disable=SC2206 # word splitting is the point
	[ -n "${LAB_QEMU_ARGS:-}" ] && qemu+=($LAB_QEMU_ARGS)
	if [ "$mode" = shell ]; then
		"${qemu[@]}" -serial mon:stdio
		return 0
	fi
	rm -f "$fifo"
	mkfifo "$fifo"
	: >"$log"
	t0=$(now_us)
	"${qemu[@]}" -serial stdio -monitor none </dev/null >"$fifo" 2>&1 &
	qpid=$!
	exec 8<"$fifo"
	deadline=$((t0 + BOOT_TIMEOUT * 1000000))
	why=hung
	while :; do
		left=$(((deadline - $(now_us)) / 1000))
		[ "$left" -gt 0 ] || break
		rc=0
		IFS= read -r -t "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))" -u 8 line || rc=$?
		if [ "$rc" -ne 0 ]; then
			[ "$rc" -gt 128 ] || why=crashed
			break
		fi
		line=${line//$'\r'/}
		while [[ $line =~ $ESC_RE ]]; do
			line=${line/"${BASH_REMATCH[0]}"/}
		done
		printf '%s\n' "$line" >>"$log"
		case $line in
		*@@LAB:BOOT:*@@*)
			text=${line#*@@LAB:BOOT:}
			booted=1
			echo "== $label: booted ${text%%@@*} in $(secs_since "$t0")s"
			deadline=$(($(now_us) + IDLE_TIMEOUT * 1000000))
			;;
		*@@LAB:START:*@@*)
			text=${line#*@@LAB:START:}
			cur=${text%%@@*}
			: >"$work/out"
			tstart=$(now_us)
			deadline=$((tstart + (timeout + GRACE) * 1000000))
			;;
		*@@LAB:END:*@@*)
			text=${line%%@@LAB:END:*}
			[ -n "$text" ] && printf '%s\n' "$text" >>"$work/out"
			[ "$mode" = demo ] && [ -n "$text" ] && printf '%s\n' "$text"
			text=${line#*@@LAB:END:}
			text=${text%%@@*}
			to=${text##*:}
			text=${text%:*}
			rc=${text##*:}
			if [ "$mode" = demo ]; then
				demo_rc=$rc
				[ "$to" = 1 ] && note "demo timed out after ${timeout}s"
			else
				finish_test "$cur" "$label" "$rc" "$to" "$(secs_since "$tstart")" "$work/out"
			fi
			done_tests+=("$cur")
			cur=""
			deadline=$(($(now_us) + IDLE_TIMEOUT * 1000000))
			;;
		*@@LAB:DONE@@*)
			break
			;;
		*)
			if [ -n "$cur" ]; then
				printf '%s\n' "$line" >>"$work/out"
				[ "$mode" = demo ] && printf '%s\n' "$line"
			fi
			;;
		esac
	done
	exec 8<&-
	[ -n "$logdir" ] && cp "$log" "$logdir/console-$label-$(date +%H%M%S).log"

	if grep -q '@@LAB:DONE@@' "$log"; then
		# Give qemu a moment to power off on its own.
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qpid" 2>/dev/null || break; sleep 0.5; done
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
		qpid=""
		return 0
	fi
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	qpid=""
	if [ -n "$cur" ]; then
		# The output file already holds every console line since the test started.
		if [ "$why" = hung ]; then
			why="guest hung: no end marker within $((timeout + GRACE))s"
		elif grep -q 'Kernel panic' "$work/out"; then
			why="guest crashed: kernel panic"
		else
			why="guest crashed: qemu exited without an end marker"
		fi
		if [ "$mode" = demo ]; then
			note "$why (the demo ran $(secs_since "$tstart")s)"
		else
			echo "($why, after $(secs_since "$tstart")s)" >>"$work/out"
			record FAIL "$cur" "$label" "$why" "$work/out"
		fi
		done_tests+=("$cur")
	elif [ "$booted" = 0 ]; then
		note "$label: guest did not boot ($why within ${BOOT_TIMEOUT}s); console tail:"
		tail -n "$TAIL_LINES" "$log" | sed 's/^/      | /' >&2
	fi
	return 1
}

# run_kernel LABEL: resolve the kernel, then boot until every test has a result.
run_kernel() {
	local label=$1 vmlinuz t version="" stuck=0
	local -a left
	if [ -f "$label" ]; then
		vmlinuz=$label
		label=$(basename "$label")
	elif ! vmlinuz=$("$LAB_DIR/fetch-kernel.sh" "$label"); then
		note "kernel $label unavailable"
		for t in "${test_names[@]}"; do record FAIL "$t" "$label" "kernel $label unavailable"; done
		return 0
	fi
	version=$(cat "$(dirname "$vmlinuz")/version" 2>/dev/null || true)
	echo "== $label: booting ${version:-$vmlinuz} (${#test_names[@]} tests, nodes $nodes, hmat $hmat)"
	left=("${test_names[@]}")
	while :; do
		if [ "$mode" = tests ]; then
			# Missing binaries fail here rather than in the guest.
			local -a present=()
			for t in "${left[@]}"; do
				if [ -x "$root/lab/tests/$t" ]; then present+=("$t")
				else record FAIL "$t" "$label" "no such test binary"; fi
			done
			left=("${present[@]}")
			[ "${#left[@]}" -gt 0 ] || return 0
		fi
		boot "$label" "$vmlinuz" "${left[@]}" && return 0
		[ "$mode" = tests ] || return 0
		if [ "$booted" = 0 ] || [ "${#done_tests[@]}" -eq 0 ]; then
			stuck=$((stuck + 1))
			if [ "$booted" = 0 ] || [ "$stuck" -ge 2 ]; then
				for t in "${left[@]}"; do
					record FAIL "$t" "$label" "guest did not boot or run tests"
				done
				return 0
			fi
		fi
		# The next boot runs what has not ended yet.
		local -a rest=()
		for t in "${left[@]}"; do
			[[ " ${done_tests[*]} " == *" $t "* ]] || rest+=("$t")
		done
		left=("${rest[@]}")
		[ "${#left[@]}" -gt 0 ] || return 0
		echo "== $label: rebooting for ${#left[@]} remaining tests"
	done
}

# --- main ----------------------------------------------------------------------------------------

parse_nodes
test_names=()
build_root
if [ "$mode" = tests ] && [ "${#test_names[@]}" -eq 0 ]; then
	note "no tests given"
	exit 0
fi
[ -n "$results" ] && { : >>"$results" || die "cannot write '$results'"; }

lock=${LAB_LOCK:-/tmp/pagemig-lab.lock}
if [ "$lock" != none ]; then
	exec 7>>"$lock" || die "cannot open lock file '$lock'"
	if ! flock -n 7; then
		note "waiting for another lab run on this host (lock $lock)"
		flock 7
	fi
fi
t_all=$(now_us)
for k in "${kernels[@]}"; do
	run_kernel "$k"
done
case $mode in
demo) exit "$demo_rc" ;;
shell) exit 0 ;;
esac
echo "== lab: ${#test_names[@]} tests x ${#kernels[@]} kernels in $(secs_since "$t_all")s, $nfail failed"
[ "$nfail" -eq 0 ]
