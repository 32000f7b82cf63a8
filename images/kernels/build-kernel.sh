#!/usr/bin/env bash
# Build a riscv64 Linux Image from Debian's linux-source package: tinyconfig + fragments.
# Usage: build-kernel.sh <out-dir> <source-version, e.g. 6.12> <fragment.config|change.patch>...
# The O= tree and ccache (depend mode) live under the cache, so a rebuild with unchanged
# inputs is a no-op and a changed fragment recompiles only what it must. Patches (-p1) go
# into a source tree of their own, named by their hash, so unpatched builds never see them;
# ccache still shares every object the patches do not touch.
set -euo pipefail
out=$1; ver=$2; shift 2
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

pkgver=$(dpkg-query -W -f='${Version}' "linux-source-$ver")
src=$cache/src/linux-source-$ver-$pkgver
[ ${#patches[@]} -eq 0 ] || src=$src+$(cat "${patches[@]}" | sha256sum | cut -c1-12)
if [ ! -f "$src/.extracted" ]; then
  echo "build-kernel: extracting $tarball" >&2
  rm -rf "$src" && mkdir -p "$src"
  tar -C "$src" --strip-components=1 -xf "$tarball"
  for p in ${patches[@]+"${patches[@]}"}; do
    patch -s -p1 -d "$src" --batch --forward <"$p" \
      || { echo "build-kernel: $p does not apply to linux-source-$ver $pkgver" >&2; exit 1; }
  done
  touch "$src/.extracted"
fi

name=$(for f in "${frags[@]}" ${patches[@]+"${patches[@]}"}; do basename "$f" | sed -E 's/\.(config|patch)$//'; done | paste -sd+)
build=$cache/kbuild/$name-$ver
mkdir -p "$build" "$out"
export ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-
export CCACHE_DIR=$cache/ccache CCACHE_DEPEND=1 CCACHE_BASEDIR=$src CCACHE_NOHASHDIR=1
cc="riscv64-linux-gnu-gcc"
command -v ccache >/dev/null && cc="ccache riscv64-linux-gnu-gcc"
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
nice -n 5 make -s -C "$src" O="$build" CC="$cc" -j"$(nproc)" Image >"$build/build.log" 2>&1 \
  || { tail -40 "$build/build.log" >&2; echo "build-kernel: make failed, log: $build/build.log" >&2; exit 1; }
cp "$build/arch/riscv/boot/Image" "$out/Image"
cp "$build/.config" "$out/config"
echo "$out/Image"
