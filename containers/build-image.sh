#!/usr/bin/env bash
# Build the riscv64 toolchain image localhost/bootcase-toolchain:bookworm from Debian packages,
# with no registry: mmdebstrap a minbase bookworm with toolchain.packages in it, import it.
#
#   containers/build-image.sh            make sure the image is there and current (cached)
#   containers/build-image.sh --force    rebuild from mmdebstrap
#   containers/build-image.sh --hash     print the input hash and exit
#
# Cache, cheapest first: the image already carries org.bootcase.inputs=<hash of this script and
# toolchain.packages> -> nothing to do; else a compressed `docker save` of that exact build,
# ${BOOTCASE_CACHE:-~/.cache/bootcase}/containers/bootcase-toolchain-bookworm-<hash>.tar.zst, is
# loaded (5 s); else mmdebstrap (about 45 s, root) and save the tarball for next time.
# The Debian mirror is read at run time from the host's apt sources (deb822
# /etc/apt/sources.list.d/*.sources, else /etc/apt/sources.list): no host name lives in the repo,
# and none is left in the image. The engine is the one containers/engine.sh start finds or starts
# (a dockerd it starts keeps running: containers/engine.sh stop).
# stdout: IMAGE=, INPUTS=, SOURCE=(cached|loaded|built) lines; progress goes to stderr.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE=localhost/bootcase-toolchain:bookworm
SUITE=bookworm
LABEL=org.bootcase.inputs
CACHE=${BOOTCASE_CACHE:-$HOME/.cache/bootcase}
DIR=$CACHE/containers
HASH=$(cat "$HERE/build-image.sh" "$HERE/toolchain.packages" | sha256sum | cut -c1-16)
TARBALL=$DIR/bootcase-toolchain-$SUITE-$HASH.tar.zst
mapfile -t PKGS < <(grep -v -e '^#' -e '^[[:space:]]*$' "$HERE/toolchain.packages")

source "$HERE/../ci/progress.sh"
say() { echo "build-image: $*" >&2; }
die() { say "$1"; exit "${2:-1}"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

force=0
case "${1:-}" in
  --hash) echo "$HASH"; exit 0 ;;
  --force) force=1 ;;
  '') ;;
  *) die "usage: containers/build-image.sh [--force|--hash]" ;;
esac

# --- the engine: the one engine.sh finds or starts ------------------------------------------
env_out=$("$HERE/engine.sh" env 2>/dev/null) || env_out=$("$HERE/engine.sh" start) || exit $?
DOCKER_HOST=$(sed -n 's/^DOCKER_HOST=//p' <<<"$env_out")
export DOCKER_HOST
ENGINE=docker
image_label() { "$ENGINE" image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$IMAGE" 2>/dev/null || true; }
done_with() { echo "IMAGE=$IMAGE"; echo "INPUTS=$HASH"; echo "SOURCE=$1"; exit 0; }

mkdir -p "$DIR"
exec 9>"$DIR/build-image.lock"
flock -w 600 9 || die "timed out waiting for $DIR/build-image.lock (another build-image.sh?)"

if ((!force)); then
  [ "$(image_label)" = "$HASH" ] && { say "$IMAGE is current (inputs $HASH)"; done_with cached; }
  if [ -f "$TARBALL" ] && command -v zstd >/dev/null; then
    t=$(now)
    old_id=$("$ENGINE" image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
    zstd -dc "$TARBALL" | "$ENGINE" load -q >&2 || say "loading $TARBALL failed"
    if [ "$(image_label)" = "$HASH" ]; then
      [ -n "$old_id" ] && [ "$old_id" != "$("$ENGINE" image inspect -f '{{.Id}}' "$IMAGE")" ] && { "$ENGINE" rmi "$old_id" >/dev/null 2>&1 || true; }
      say "loaded $IMAGE from $TARBALL in $(since "$t")"
      done_with loaded
    fi
    say "$TARBALL did not give $IMAGE with inputs $HASH: removing it and rebuilding"
    rm -f "$TARBALL"
  fi
fi

# --- mmdebstrap -----------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "building $IMAGE needs root (mmdebstrap, chroot); no cached $TARBALL to load" 3
command -v mmdebstrap >/dev/null && command -v zstd >/dev/null || "$HERE/engine.sh" install
command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed (Debian package mmdebstrap)" 3

# The deb822 stanzas of the host's Debian sources for $SUITE(-updates|-security), signed by the
# Debian archive keyring (or unsigned-by); the first URI of the plain $SUITE stanza is the mirror.
debian_stanzas() {
  awk -v suite="$SUITE" '
    function flush() {
      n = split(suites, s, " "); ok = n > 0 && types ~ /(^| )deb( |$)/ && enabled != "no"
      for (i = 1; i <= n; i++) if (s[i] !~ "^" suite "(-updates|-security)?$") ok = 0
      if (signed != "" && signed !~ /^\/usr\/share\/keyrings\/debian-archive-/) ok = 0
      if (ok) printf "%s\n", text
      text = types = suites = signed = enabled = ""
    }
    /^[[:space:]]*$/ { flush(); next }
    /^#/ { next }
    { text = text $0 "\n" }
    /^Types:/ { types = substr($0, 7) }
    /^Suites:/ { suites = substr($0, 8) }
    /^Signed-By:/ { signed = $2 }
    /^Enabled:/ { enabled = tolower($2) }
    END { flush() }
  ' /etc/apt/sources.list.d/*.sources 2>/dev/null || true
}
stanzas=$(debian_stanzas)
MIRROR=$(awk -v suite="$SUITE" '
  /^URIs:/ { uri = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) want = 1 }
  /^$/ { if (want && uri != "") { print uri; found = 1; exit } want = 0; uri = "" }
  END { if (!found && want && uri != "") print uri }' <<<"$stanzas")
if [ -z "$MIRROR" ]; then   # classic one-line sources
  MIRROR=$(awk -v suite="$SUITE" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { if ($(i + 1) == suite) { print $i; exit } } }' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$MIRROR" ] && stanzas=$(printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n' "$MIRROR" "$SUITE" "$SUITE")
fi
[ -n "$MIRROR" ] || die "no Debian $SUITE source in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"

# apt settings of the host that matter for reaching the same mirror (a snapshot mirror needs
# Check-Valid-Until=false; a proxy). Passed on the command line, never stored in the image.
APT_OPTS=()
for key in Acquire::Check-Valid-Until Acquire::Check-Date Acquire::http::Proxy Acquire::https::Proxy; do
  v=$(apt-config dump --format '%f=%v%n' "$key" | sed -n "s|^$key=||p")
  if [ -n "$v" ]; then APT_OPTS+=(-o "$key=$v"); fi
done
proxy=$(apt-config dump --format '%f=%v%n' Acquire::http::Proxy | sed -n 's|^Acquire::http::Proxy=||p')
[ -n "$proxy" ] && [ -z "${http_proxy:-}" ] && export http_proxy=$proxy

ROOTFS=$DIR/rootfs.$$
cleanup() {
  local m
  # Whatever is still mounted in the rootfs (mmdebstrap's, if it was killed), innermost first.
  for m in $(awk -v r="$ROOTFS/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done
  if [ -d "$ROOTFS" ]; then
    if grep -qF " $ROOTFS/" /proc/mounts; then say "left $ROOTFS in place: something is still mounted under it"
    else rm -rf "$ROOTFS"; fi
  fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP   # a killed build still unmounts /proc and removes the rootfs

t0=$(now)
say "mmdebstrap --variant=minbase $SUITE with ${PKGS[*]} (mirror from the host's apt sources)"
# One pass: mmdebstrap resolves the minbase set and the toolchain together, downloads them with
# apt, and unpacks and configures them once: ~45 s alone on this 2-core machine, and 311 s beside
# a cold kernel build where debootstrap and its second apt pass for the toolchain took 388 s. The
# sources are the host's Debian stanzas (bookworm, -updates, -security), so the toolchain has the
# host's package versions. Its "I: <what it does>..." lines are the progress.
SOURCES=$DIR/sources.$$.sources
printf '%s\n' "$stanzas" >"$SOURCES"
MM_OPTS=()
for o in ${APT_OPTS[@]+"${APT_OPTS[@]}"}; do
  [ "$o" = -o ] || MM_OPTS+=(--aptopt="${o%%=*} \"${o#*=}\"")
done
mm_status() { grep '^I: ' "$DIR/mmdebstrap.log" | tail -n 1 | cut -c4- | sed 's/\.\.\.$//'; }
: >"$DIR/mmdebstrap.log"
logged() { "$@" >>"$DIR/mmdebstrap.log" 2>&1; }   # the output to the log, the progress lines to stderr
includes=$(IFS=,; echo "${PKGS[*]}")
with_progress "build-image: mmdebstrap" mm_status logged mmdebstrap --mode=root --variant=minbase --include="$includes" \
  ${MM_OPTS[@]+"${MM_OPTS[@]}"} "$SUITE" "$ROOTFS" "$SOURCES" ||
  { rm -f "$SOURCES"; tail -n 20 "$DIR/mmdebstrap.log" >&2; die "mmdebstrap failed (log $DIR/mmdebstrap.log)"; }
rm -f "$SOURCES"
say "mmdebstrap done in $(since "$t0")"

t=$(now)
in_root() { chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
# The toolchain's identity, the same query harness/build/host-build.ts makes on the host: equal
# strings mean the container and the host compile with the same Debian package versions.
VERSIONS=$({ in_root dpkg-query -W -f='${db:Status-Abbrev}${Package}=${Version}\n' binutils-riscv64-linux-gnu \
  'gcc-[0-9]*-riscv64-linux-gnu' 'libgcc-[0-9]*-dev-riscv64-cross' libc6-dev-riscv64-cross make || true; } |
  sed -n 's/^ii *//p' | sort | xargs)
# Leave no mirror, apt option, host name or build log in the image.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/etc/apt/sources.list "$ROOTFS"/etc/apt/sources.list.d/* \
  "$ROOTFS"/etc/apt/apt.conf.d/99mmdebstrap "$ROOTFS/etc/resolv.conf" "$ROOTFS"/var/cache/apt/*.bin \
  "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/log/apt/* "$ROOTFS"/var/log/{bootstrap,dpkg,alternatives}.log \
  "$ROOTFS"/var/cache/debconf/*-old
echo bootcase-toolchain >"$ROOTFS/etc/hostname"
say "checked and cleaned in $(since "$t")"

t=$(now)
old_id=$("$ENGINE" image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
tar --numeric-owner -C "$ROOTFS" -c . | "$ENGINE" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' \
  --change "LABEL $LABEL=$HASH" \
  --change "LABEL org.bootcase.toolchain=\"$VERSIONS\"" \
  - "$IMAGE" >/dev/null
[ "$(image_label)" = "$HASH" ] || die "$ENGINE import did not give $IMAGE with $LABEL=$HASH"
new_id=$("$ENGINE" image inspect -f '{{.Id}}' "$IMAGE")
[ -n "$old_id" ] && [ "$old_id" != "$new_id" ] && { "$ENGINE" rmi "$old_id" >/dev/null 2>&1 || true; }
say "imported $IMAGE in $(since "$t")"

t=$(now)
"$ENGINE" save "$IMAGE" | zstd -q -T0 -3 >"$TARBALL.tmp"
mv "$TARBALL.tmp" "$TARBALL"
find "$DIR" -maxdepth 1 -name "bootcase-toolchain-$SUITE-*.tar.zst" ! -name "$(basename "$TARBALL")" -delete
say "saved $TARBALL ($(du -h "$TARBALL" | cut -f1)) in $(since "$t"); total $(since "$t0")"
done_with built
