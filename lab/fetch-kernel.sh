#!/bin/bash
# fetch-kernel.sh - get a Debian 12 kernel image for the NUMA lab, cached outside the repo.
#
#   lab/fetch-kernel.sh [--refresh] 6.1|6.12
#
# Prints the path of the cached vmlinuz on stdout; progress and errors go to stderr.
#   6.1   the kernel Debian 12's linux-image-amd64 depends on (bookworm, -updates, -security)
#   6.12  the kernel bookworm-backports' linux-image-amd64 depends on (linux-image-6.12.*+deb12-amd64)
#
# Beside vmlinuz it keeps the modules the guest loads at boot (ext4 and the loop device, for tests of
# page cache on a block filesystem), uncompressed, in modules/ with their load order in
# modules/order.
#
# A kernel already in the cache is used as is, without touching the network; --refresh asks the archive
# for the newest version and replaces the cached one if it changed.  apt runs with a private
# configuration under the cache (its own sources list, lists and package cache): /etc/apt is never
# edited.  The mirror is the one this machine's apt sources already use.
#
# Environment:
#   PAGEMIG_LAB_CACHE   cache directory (default /var/cache/pagemig-lab)
#   PAGEMIG_LAB_MIRROR  Debian mirror URI (default: taken from /etc/apt, else http://deb.debian.org/debian)
set -eu

CACHE=${PAGEMIG_LAB_CACHE:-/var/cache/pagemig-lab}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

die() { echo "fetch-kernel: $*" >&2; exit 1; }
say() { echo "fetch-kernel: $*" >&2; }

usage() {
	sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

# The URIs of this machine's Debian sources, one per line: one-line (.list) and deb822 (.sources) formats.
apt_uris() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\{0,1\}\([^[:space:]]\+\).*/\2/p' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		sed -n 's/^URIs:[[:space:]]*//p' "$f" | tr ' ' '\n'
	done
}

# The first source whose path ends in /$1 (debian or debian-security), else $2.
pick_uri() {
	local u
	u=$(apt_uris | grep -E "/$1/?\$" | head -n 1 || true)
	echo "${u:-$2}"
}

refresh=0
while [ $# -gt 0 ]; do
	case $1 in
	--refresh) refresh=1; shift ;;
	-h | --help) usage 0 ;;
	-*) die "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage 2 >&2
series=$1

mirror=${PAGEMIG_LAB_MIRROR:-$(pick_uri debian http://deb.debian.org/debian)}
case $series in
6.1)
	security=$(pick_uri debian-security "${mirror%/debian}/debian-security")
	sources="deb [signed-by=$KEYRING] $mirror bookworm main
deb [signed-by=$KEYRING] $mirror bookworm-updates main
deb [signed-by=$KEYRING] $security bookworm-security main" ;;
6.12)
	sources="deb [signed-by=$KEYRING] $mirror bookworm-backports main" ;;
*) die "unknown kernel series '$series' (expected 6.1 or 6.12)" ;;
esac

# The guest's modules in load order: each one's dependencies (its depends= field) come before it.
MODULES="crc16 mbcache jbd2 crc32c_generic ext4 loop"

kdir=$CACHE/kernels/$series
adir=$CACHE/apt/$series
cached() { [ -s "$kdir/vmlinuz" ] && [ -s "$kdir/modules/order" ]; }
if [ "$refresh" -eq 0 ] && cached; then
	echo "$kdir/vmlinuz"
	exit 0
fi

mkdir -p "$kdir" "$adir/lists/partial" "$adir/cache/archives/partial" 2>/dev/null ||
	die "cannot create '$kdir' (set PAGEMIG_LAB_CACHE to a writable directory)"
[ -r "$KEYRING" ] || die "missing '$KEYRING' (install debian-archive-keyring)"

# One fetch at a time per series: CI jobs may share the cache.
exec 9>"$kdir/.lock"
flock 9
if [ "$refresh" -eq 0 ] && cached; then
	echo "$kdir/vmlinuz"
	exit 0
fi

printf '%s\n' "$sources" >"$adir/sources.list"
apt=(-o "Dir::Etc::SourceList=$adir/sources.list" -o Dir::Etc::SourceParts=/nonexistent
	-o "Dir::State::Lists=$adir/lists" -o "Dir::Cache=$adir/cache"
	-o "APT::Sandbox::User=$(id -un)" -q)

say "updating package lists for $series from $mirror"
apt-get "${apt[@]}" update >"$adir/update.log" 2>&1 ||
	{ cat "$adir/update.log" >&2; die "apt-get update failed"; }

# The metapackage's dependency names the newest ABI of the suite's candidate kernel.
pkg=$(apt-cache "${apt[@]}" depends linux-image-amd64 |
	sed -n 's/^[[:space:]]*Depends:[[:space:]]*\(linux-image-[0-9][^[:space:]]*-amd64\)$/\1/p' | head -n 1)
case $series in
6.1) [[ $pkg == linux-image-6.1.* ]] || die "no 6.1 kernel found (got '$pkg')" ;;
6.12) [[ $pkg == linux-image-6.12.*+deb12-amd64 ]] || die "no 6.12 kernel found (got '$pkg')" ;;
esac
ver=$(apt-cache "${apt[@]}" policy "$pkg" | sed -n 's/^[[:space:]]*Candidate:[[:space:]]*//p')

if cached && [ "$(cat "$kdir/version" 2>/dev/null)" = "$pkg $ver" ]; then
	say "$pkg $ver is current"
	echo "$kdir/vmlinuz"
	exit 0
fi

# extract_modules DEB DIR: $MODULES from DEB into DIR, uncompressed, with DIR/order.
extract_modules() {
	local deb=$1 dir=$2 m f dep loaded=" "
	mkdir -p "$dir/x"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/x" --wildcards \
		$(for m in $MODULES; do printf "./lib/modules/*/%s.ko* " "*/$m"; done) 2>/dev/null || true
	for m in $MODULES; do
		f=$(find "$dir/x" -name "$m.ko*" | head -n 1)
		[ -n "$f" ] || die "no module $m in $deb"
		case $f in
		*.xz) xz -dc "$f" >"$dir/$m.ko" ;;
		*.zst) zstd -qdc "$f" >"$dir/$m.ko" ;;
		*) cp "$f" "$dir/$m.ko" ;;
		esac
		for dep in $(strings -a "$dir/$m.ko" | sed -n 's/^depends=//p' | head -n 1 | tr , ' '); do
			[[ $loaded == *" $dep "* ]] || die "module $m needs $dep, which is not loaded before it"
		done
		loaded+="$m "
		echo "$m" >>"$dir/order"
	done
	rm -rf "$dir/x"
}

say "downloading $pkg $ver"
tmp=$(mktemp -d "$kdir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get "${apt[@]}" download "$pkg=$ver" >"$tmp/download.log" 2>&1) ||
	{ cat "$tmp/download.log" >&2; die "apt-get download $pkg failed"; }
deb=$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n 1)
[ -n "$deb" ] || die "apt-get download produced no .deb"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' './boot/config-*'
vmlinuz=$(find "$tmp/boot" -name 'vmlinuz-*' | head -n 1)
config=$(find "$tmp/boot" -name 'config-*' | head -n 1)
[ -s "$vmlinuz" ] || die "no vmlinuz in $deb"
extract_modules "$deb" "$tmp/modules"

# Install atomically: vmlinuz last, so a present vmlinuz always has its version, config and modules.
cp "$config" "$kdir/config.new"
mv "$kdir/config.new" "$kdir/config"
rm -rf "$kdir/modules.old"
[ -d "$kdir/modules" ] && mv "$kdir/modules" "$kdir/modules.old"
mv "$tmp/modules" "$kdir/modules"
rm -rf "$kdir/modules.old"
echo "$pkg $ver" >"$kdir/version"
cp "$vmlinuz" "$kdir/vmlinuz.new"
mv "$kdir/vmlinuz.new" "$kdir/vmlinuz"
say "cached $pkg $ver in $kdir"
echo "$kdir/vmlinuz"
