#!/bin/sh
# lab/init.sh - /init of the NUMA lab guest (busybox sh, PID 1).
#
# lab/lab.sh copies this file into the initramfs as /init, next to /lab/run.conf, which sets:
#   LAB_MODE     tests | demo | shell
#   LAB_TESTS    test names, run in order from /lab/tests/NAME (tests mode)
#   LAB_TIMEOUT  seconds per test, or for the demo script
#   LAB_KERNEL   the kernel's label (6.1, 6.12), LAB_NODES and LAB_HMAT the topology specs:
#                exported to tests
# and /lab/modules (modules to load at boot, their order in /lab/modules/order) when the kernel
# came from fetch-kernel.sh.
#
# Before each test it kills what the previous one left running, empties /tmp, /dev/shm and
# /dev/hugepages and resets the memory-management knobs tests may change (lab_defaults).
# The host parses these markers, which may appear anywhere in a console line:
#   @@LAB:BOOT:<uname -r>@@   @@LAB:START:<name>@@   @@LAB:END:<name>:<status>:<timed out 0|1>@@
#   @@LAB:DONE@@
# and then the guest powers off.

export PATH=/lab/tests:/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin
export HOME=/root TMPDIR=/tmp LANG=C

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /dev/hugepages
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir -p /run && mount -t tmpfs -o mode=755 tmpfs /run	# agents' sockets: /run/pagemig
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t hugetlbfs -o mode=1777 hugetlbfs /dev/hugepages
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname lab

# shellcheck source=/dev/null
. /lab/run.conf
: "${LAB_MODE:=tests}" "${LAB_TIMEOUT:=120}"
export LAB_KERNEL LAB_NODES LAB_HMAT

# put FILE VALUE: write a knob if this kernel has it.
put() {
	[ -w "$1" ] && echo "$2" >"$1" 2>/dev/null
	return 0
}

# Kill every user process but this one; kernel threads have no /proc/PID/exe.
lab_kill_all() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		left=0
		for p in /proc/[0-9]*; do
			[ "${p#/proc/}" = 1 ] && continue
			[ -e "$p/exe" ] || continue
			kill -KILL "${p#/proc/}" 2>/dev/null && left=1
		done
		[ "$left" = 0 ] && return 0
		sleep 0.2
	done
}

# The state every test starts from.
lab_defaults() {
	lab_kill_all
	cd / || return
	rm -rf /tmp/* /tmp/.[!.]* /dev/shm/* /dev/hugepages/* /run/pagemig 2>/dev/null
	put /proc/sys/kernel/numa_balancing 0
	put /proc/sys/vm/zone_reclaim_mode 0
	put /proc/sys/vm/nr_overcommit_hugepages 0
	put /sys/kernel/mm/numa/demotion_enabled false
	put /sys/kernel/mm/ksm/run 0
	put /sys/kernel/mm/transparent_hugepage/enabled madvise
	put /sys/kernel/mm/transparent_hugepage/defrag madvise
	for d in /sys/kernel/mm/transparent_hugepage/hugepages-*kB; do
		[ -d "$d" ] || continue
		case $d in
		*/hugepages-2048kB) put "$d/enabled" inherit ;;
		*) put "$d/enabled" never ;;
		esac
	done
	for f in /sys/devices/system/node/node*/hugepages/hugepages-*/nr_hugepages; do
		put "$f" 0
	done
	put /proc/sys/vm/drop_caches 3
}

# run_one NAME CMD...: one test (or the demo) between markers, with a timeout.
run_one() {
	name=$1
	shift
	lab_defaults
	cd /tmp || return
	echo "@@LAB:START:$name@@"
	t0=$(date +%s)
	timeout -s KILL "$LAB_TIMEOUT" "$@" </dev/null
	rc=$?
	t1=$(date +%s)
	to=0
	[ "$rc" = 137 ] && [ $((t1 - t0)) -ge $((LAB_TIMEOUT - 1)) ] && to=1
	echo "@@LAB:END:$name:$rc:$to@@"
}

# The kernel's modules lab.sh packed (ext4 and loop: see fetch-kernel.sh), in their load order.
# A module that does not load is reported; the tests that need it skip, naming it.
if [ -s /lab/modules/order ]; then
	while read -r m; do
		insmod "/lab/modules/$m.ko" 2>/dev/null || echo "lab: module $m did not load"
	done </lab/modules/order
fi

echo "@@LAB:BOOT:$(uname -r)@@"
case $LAB_MODE in
tests)
	for t in $LAB_TESTS; do
		run_one "$t" "/lab/tests/$t"
	done
	;;
demo)
	run_one demo /bin/sh /lab/demo.sh
	;;
shell)
	lab_defaults
	cd /tmp || true
	echo "NUMA lab shell on $(uname -r), nodes $(cat /sys/devices/system/node/online)."
	echo "Tests are in /lab/tests (on PATH). 'exit' powers off; Ctrl-A X quits qemu."
	setsid cttyhack sh -l
	;;
esac
lab_kill_all
echo "@@LAB:DONE@@"
poweroff -f
