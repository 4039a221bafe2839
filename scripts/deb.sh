#!/bin/sh
# deb.sh OUTDIR - build the Debian packages (dpkg-buildpackage -us -uc -b) from a copy of this
# tree in OUTDIR/src, so that the build never sees the working tree's build/ directory and leaves
# its .deb, .buildinfo and .changes files in OUTDIR; then run lintian on them and fail on errors.
# Installs what it needs (debhelper, lintian, dpkg-dev, build-essential) when missing.
set -eu
out=${1:?usage: scripts/deb.sh OUTDIR}
top=$(cd "$(dirname "$0")/.." && pwd)

missing=""
for p in build-essential dpkg-dev debhelper lintian; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deb: installing:$missing" >&2
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

rm -rf "$out"
mkdir -p "$out/src"
out=$(cd "$out" && pwd)
# The files git knows (committed or not, ignored ones left out), else the tree without build/.
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -xf - -C "$out/src"
else
	(cd "$top" && tar --exclude=./build -cf - .) | tar -xf - -C "$out/src"
fi
(cd "$out/src" && dpkg-buildpackage -us -uc -b)
changes=$(ls "$out"/pagemig_*.changes)
echo "deb: packages in $out:"
ls "$out"/*.deb
echo "deb: lintian $changes"
lintian --fail-on error "$changes" && echo "deb: lintian: no errors"
