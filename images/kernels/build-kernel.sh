#!/usr/bin/env bash
# Build a riscv64 Linux Image from Debian's linux-source package: tinyconfig + fragments.
# Usage: build-kernel.sh [--path] <source-version, e.g. 6.12> <fragment.config|change.patch>...
# The Image goes to $BOOTCASE_CACHE/kernels/<name>-<version>-<key>/Image, the key being a hash of
# every input (the fragments and patches, this script, the linux-source and gcc versions); its
# path is the one line on stdout. An Image already there is reused at once; --path only prints
# where it is (or would be). images/build.ts and ci/setup.sh both build through here.
# The O= tree lives under the cache, so a rebuild with unchanged inputs is a no-op and a changed
# fragment recompiles only what it must. Patches (-p1) go into a source tree of their own, named
# by their hash, so unpatched builds never see them. ccache only with BOOTCASE_CCACHE=1: it
# shares nothing across configurations (every object includes the config's autoconf.h), and on a
# cold build it cost 20-34% more CPU than plain gcc (kernel/ and mm/, 165 objects: 206 and 186
# CPU-seconds with ccache's default and tuned settings against 154); it pays off only when the
# same configuration is rebuilt from another source tree (a changed patch, a linux-source update).
set -euo pipefail
print_path=0
[ "${1:-}" != --path ] || { print_path=1; shift; }
ver=$1; shift
frags=(); patches=()
for f in "$@"; do
  [ -f "$f" ] || { echo "build-kernel: $f: no such file" >&2; exit 2; }
  case $f in *.patch) patches+=("$(realpath "$f")") ;; *) frags+=("$(realpath "$f")") ;; esac
done
[ ${#frags[@]} -gt 0 ] || { echo "build-kernel: no fragment given" >&2; exit 2; }
cache=${BOOTCASE_CACHE:-$HOME/.cache/bootcase}
tarball=/usr/src/linux-source-$ver.tar.xz
[ -f "$tarball" ] || { echo "build-kernel: $tarball missing: install linux-source-$ver (bash ci/setup.sh)" >&2; exit 2; }
command -v riscv64-linux-gnu-gcc >/dev/null || { echo "build-kernel: riscv64-linux-gnu-gcc missing: install gcc-riscv64-linux-gnu (bash ci/setup.sh)" >&2; exit 2; }

name=$(for f in "${frags[@]}" ${patches[@]+"${patches[@]}"}; do basename "$f" | sed -E 's/\.(config|patch)$//'; done | paste -sd+)
key=$({ for f in "$@"; do cat "$f"; done; cat "${BASH_SOURCE[0]}"; dpkg-query -W -f='${Version}' "linux-source-$ver"
        riscv64-linux-gnu-gcc --version; } | sha256sum | cut -c1-16)
out=$cache/kernels/$name-$ver-$key
if ((print_path)) || [ -f "$out/Image" ]; then echo "$out/Image"; exit 0; fi
build=$cache/kbuild/$name-$ver
mkdir -p "$cache/kbuild" "$cache/src"
# What the build is doing before its first object, for images/progress.ts's line.
phase() { echo "$*" >"$build.phase"; }
# One build of a configuration at a time (the cache is shared by every checkout on the machine):
# a second one waits here, then finds nothing left to do. The phase file and the objects are the
# running build's, which is what the waiting one's progress line then shows.
exec 8>"$build.lock"
flock -n 8 || { echo "build-kernel: waiting for another process's build of $name" >&2; flock 8; }
[ ! -f "$out/Image" ] || { echo "$out/Image"; exit 0; }   # that build made it

pkgver=$(dpkg-query -W -f='${Version}' "linux-source-$ver")
src=$cache/src/linux-source-$ver-$pkgver
[ ${#patches[@]} -eq 0 ] || src=$src+$(cat "${patches[@]}" | sha256sum | cut -c1-12)
exec 7>"$src.lock"
flock 7
if [ ! -f "$src/.extracted" ]; then
  echo "build-kernel: extracting $tarball" >&2
  phase "extracting $(basename "$tarball")"
  t=$SECONDS
  rm -rf "$src" && mkdir -p "$src"
  tar -C "$src" --strip-components=1 -xf "$tarball"
  phase "applying ${#patches[@]} patch(es)"
  for p in ${patches[@]+"${patches[@]}"}; do
    patch -s -p1 -d "$src" --batch --forward <"$p" \
      || { echo "build-kernel: $p does not apply to linux-source-$ver $pkgver" >&2; exit 1; }
  done
  touch "$src/.extracted"
  echo "build-kernel: extracted and patched in $((SECONDS - t)) s" >&2
fi
exec 7>&-

mkdir -p "$build"
export ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-
cc="riscv64-linux-gnu-gcc"
if [ "${BOOTCASE_CCACHE:-0}" = 1 ]; then
  command -v ccache >/dev/null || { echo "build-kernel: BOOTCASE_CCACHE=1 but ccache is not installed (Debian package ccache)" >&2; exit 2; }
  export CCACHE_DIR=$cache/ccache CCACHE_DEPEND=1 CCACHE_BASEDIR=$src CCACHE_NOHASHDIR=1 CCACHE_INODECACHE=1
  cc="ccache riscv64-linux-gnu-gcc"
fi
phase "configuring (tinyconfig + ${frags[*]##*/})"
t=$SECONDS
# merge_config.sh -n: allnoconfig base, so only tinyconfig's and our lines are set.
(cd "$src" && scripts/kconfig/merge_config.sh -n -O "$build" \
   kernel/configs/tiny-base.config kernel/configs/tiny.config "${frags[@]}" >"$build/merge.log" 2>&1) \
  || { cat "$build/merge.log" >&2; exit 1; }
# A mismatch is real unless "is not set" was asked and the symbol is simply absent (its
# dependencies are off): merge_config.sh reports both the same way.
bad=$(awk '/not in final .config/ {sym=$4} /^Requested value:/ {req=$0} /^Actual value:/ {
         if (!(req ~ /is not set/ && $0 ~ /^Actual value: *$/)) print sym }' "$build/merge.log")
if [ -n "$bad" ]; then
  grep -A3 'not in final .config' "$build/merge.log" >&2
  echo "build-kernel: ${frags[*]} request options the $ver tree does not accept: $bad" >&2; exit 1
fi
echo "build-kernel: configured in $((SECONDS - t)) s" >&2
rm -f "$build.phase"   # from here on, the objects say how far along it is: those newer than
touch "$build.compiling" # this stamp (a rebuild overwrites the objects of the last one)
# At the default priority: on a cold start this build is the critical path (ci/setup.sh lowers
# the jobs that run beside it instead).
t=$SECONDS
make -s -C "$src" O="$build" CC="$cc" -j"$(nproc)" Image >"$build/build.log" 2>&1 \
  || { tail -40 "$build/build.log" >&2; echo "build-kernel: make failed, log: $build/build.log" >&2; exit 1; }
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
echo "build-kernel: compiled in $((SECONDS - t)) s" >&2
cp "$build/arch/riscv/boot/Image" "$out.tmp/Image"
cp "$build/.config" "$out.tmp/config"
# The object count of this complete build: the next build of this configuration's expected total.
find "$build" -name '*.o' | wc -l >"$build.objects"
rm -rf "$out" && mv "$out.tmp" "$out"
echo "$out/Image"
