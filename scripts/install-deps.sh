#!/bin/sh
# Install the Debian packages pagemig needs to build and test, only those missing.
# Non-interactive; needs root (or sudo) when something is missing.
set -eu
pkgs="build-essential pkg-config liburing-dev qemu-system-x86 busybox-static cpio numactl xz-utils zstd e2fsprogs"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "pagemig: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
