#!/usr/bin/env bash
# Install what bootcase needs on a fresh Debian 12 machine: the Debian packages (cross gcc,
# QEMU with OpenSBI, the kernel source, build deps) and the npm dependencies; then build (the VMM,
# the guests and the kernel, images/build.ts) while the packages the build does not need still
# install, and, as root, make the toolchain image (containers/) for the build test.
# Safe to re-run: it installs and builds only what is missing (all cached by input hash). As
# non-root it lists what is missing. Every step longer than 15 s prints a progress line.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/progress.sh

PKGS=(
  qemu-system-misc qemu-system-data opensbi       # L1 machine: qemu-system-riscv64 + OpenSBI firmware
  gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu libc6-dev-riscv64-cross  # static riscv64 VMM + guests
  linux-source-6.12 bc bison flex libssl-dev libelf-dev ccache xz-utils patch  # kernel builds
  cpio device-tree-compiler make gcc file e2fsprogs                         # unit tests, dtb checks, ext2 disks
  u-boot-qemu                                                               # the bootloader milestone (S-mode U-Boot, arch all)
  g++                                                                       # the native addon (native/: the VMM's loader for the harness)
  linux-source-6.1 debian-archive-keyring                                   # matrix (ci/matrix.ts): 6.1 L1, trixie L1 fetch
  docker.io mmdebstrap zstd                                                 # toolchain container (containers/)
  clang libclang-rt-14-dev                                                  # libFuzzer target (make -C vmm fuzz)
)
# Neither the build nor npm needs these: they install while the kernel compiles (the big ones).
LATER=(qemu-system-misc qemu-system-data opensbi u-boot-qemu linux-source-6.1 debian-archive-keyring docker.io mmdebstrap zstd clang libclang-rt-14-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
first=() later=()
for p in ${missing[@]+"${missing[@]}"}; do
  if [[ " ${LATER[*]} " == *" $p "* ]]; then later+=("$p"); else first+=("$p"); fi
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  aptlog=$(mktemp -t bootcase-apt.XXXXXX)
  aptstatus=$(mktemp -t bootcase-apt-status.XXXXXX)
  apt_status() { apt_progress "$aptstatus"; }
  apt_install() {   # apt-get install, quiet unless it fails
    : >"$aptstatus"
    apt-get install -y -q --no-install-recommends -o APT::Status-Fd=3 "$@" >"$aptlog" 2>&1 3>"$aptstatus" ||
      { tail -n 30 "$aptlog" >&2; echo "setup: apt-get install $* failed" >&2; return 1; }
  }
  echo "setup: apt-get update" >&2
  with_progress "setup: apt-get update" true apt-get update -q >/dev/null
  if ((${#first[@]})); then
    echo "setup: installing ${first[*]}" >&2
    with_progress "setup: apt-get install" apt_status apt_install "${first[@]}"
  fi
fi

mkdir -p out
cache=${BOOTCASE_CACHE:-$HOME/.cache/bootcase}
pids=()   # the background jobs, stopped if a step fails
trap 'kill ${pids[*]} 2>/dev/null || true' EXIT
running() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# 1. The kernel first: it is most of a cold start, and it needs only what is installed so far.
#    (The default kernel's inputs: images/kernels/default.json. build-kernel.sh keys the Image by
#    them; a cached one makes this step a no-op, and images/build.ts waits for this build's lock.)
read -r kver kobjects kinputs < <(node -p 'const d = require("./images/kernels/default.json"); [d.version, d.objects, ...d.fragments].join(" ")')
# shellcheck disable=SC2086 # kinputs: repo paths without spaces
kimage=$(bash images/kernels/build-kernel.sh --path "$kver" $kinputs)
kernel_pid=
kdir=${kimage%/Image}
kbuild=$cache/kbuild/$(basename "${kdir%-*}")
if [ ! -f "$kimage" ]; then
  echo "setup: building the kernel $(basename "$kdir") (log out/setup-kernel.log) while the rest installs" >&2
  # shellcheck disable=SC2086
  bg_start bash images/kernels/build-kernel.sh "$kver" $kinputs >out/setup-kernel.log 2>&1
  kernel_pid=$BG_PID kernel_st=$BG_STATUS
  pids+=("$kernel_pid")
fi
# Everything from here on (npm, the L0 QEMU, the other packages, the toolchain image, the VMM and
# guests) runs at a lower CPU and I/O priority than the kernel build started above: on 2 cores the
# kernel is the critical path, and the rest is shorter and partly waits on the network, so it
# fills the cores the kernel leaves idle (its single-threaded extraction, configuration and link).
renice -n 10 -p $$ >/dev/null 2>&1 || true
ionice -c 2 -n 7 -p $$ 2>/dev/null || true
kernel_status() {   # build-kernel.sh's phase, else its objects so far (of the last build's count, or the repo's)
  running "$kernel_pid" || return 0
  if [ -s "$kbuild.phase" ]; then echo "kernel: $(cat "$kbuild.phase")"; return; fi
  local total=$kobjects
  [ -s "$kbuild.objects" ] && total=$(cat "$kbuild.objects")
  # objects written since compiling started (build-kernel.sh's stamp): a rebuild overwrites the last build's
  local newer=()
  [ -f "$kbuild.compiling" ] && newer=(-newer "$kbuild.compiling")
  echo "kernel: $(find "$kbuild" -name '*.o' ${newer[@]+"${newer[@]}"} 2>/dev/null | wc -l)/$total objects"
}

# --- L0 QEMU 10 (issue #13 §2; harness/stage/l0.ts) ------------------------------------------
# The default L0 is bookworm-backports' qemu-system-riscv 10 with the OpenSBI (>> 1.5.1) it needs.
# It is unpacked under $BOOTCASE_CACHE/qemu/<versions>/, not installed: Debian 12's QEMU 7.2 in
# /usr/bin stays, as the matrix's other L0 (BOOTCASE_L0=7.2), and nothing else on the host moves.
# apt runs with a private config: the host's own archive URI (read from its sources) with
# bookworm-backports alone, private lists and cache, so /etc/apt is untouched; only these
# packages are taken from backports. Their shared libraries come from bookworm: any that
# are missing on the host are installed with the host's ordinary apt (root only).
install_qemu_l0() {
  local cache=${BOOTCASE_CACHE:-$HOME/.cache/bootcase} pkgs=(qemu-system-riscv qemu-system-data opensbi)
  local apt_dir=$cache/qemu/apt uri p v key="" out libs
  uri=$(awk 'BEGIN{IGNORECASE=1} /^Types:/{deb=/ deb( |$)/} /^URIs:/{u=$2} /^Suites:/{if (deb && u && / bookworm( |$)/) {print u; exit}}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || { echo "setup: no bookworm archive URI in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2; return 1; }
  mkdir -p "$apt_dir"/{lists/partial,cache/archives/partial,debs}
  # Only the backports suite: every candidate is then its version, and nothing else comes from it.
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" > "$apt_dir/bookworm-backports.sources"
  : > "$apt_dir/status"
  local A=(-o "Dir::Etc::SourceList=$apt_dir/bookworm-backports.sources" -o Dir::Etc::SourceParts=/dev/null
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::State::status=$apt_dir/status" -o "Dir::Cache=$apt_dir/cache")
  # Lists at most a day old; with the archive unreachable, an L0 unpacked earlier is kept.
  if [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
    if ! apt-get "${A[@]}" -q update --error-on=any >/dev/null 2>&1; then
      [ -x "$cache/qemu/10/usr/bin/qemu-system-riscv64" ] && { echo "setup: archive unreachable, keeping L0 QEMU $(readlink "$cache/qemu/10")" >&2; return 0; }
      echo "setup: apt-get update of bookworm-backports from $uri failed (private lists in $apt_dir)" >&2; return 1
    fi
  fi
  for p in "${pkgs[@]}"; do
    v=$(apt-cache "${A[@]}" policy "$p" | awk '/Candidate:/ {print $2}')
    [ -n "$v" ] && [ "$v" != "(none)" ] || { echo "setup: $p is not in bookworm-backports" >&2; return 1; }
    key+="${key:+_}$p-${v#*:}"
  done
  out=$cache/qemu/$key
  if [ ! -x "$out/usr/bin/qemu-system-riscv64" ]; then
    echo "setup: L0 QEMU: downloading ${pkgs[*]} from bookworm-backports (about 10 MB)" >&2
    rm -f "$apt_dir"/debs/*.deb
    (cd "$apt_dir/debs" && apt-get "${A[@]}" -q download "${pkgs[@]}" >/dev/null 2>&1) \
      || { echo "setup: apt-get download ${pkgs[*]} from bookworm-backports failed" >&2; return 1; }
    rm -rf "$out.tmp" && mkdir -p "$out.tmp"
    for p in "$apt_dir"/debs/*.deb; do dpkg-deb -x "$p" "$out.tmp"; done
    rm -rf "$out" && mv "$out.tmp" "$out"
  fi
  # Its shared libraries come from the host's bookworm (QEMU 7.2 already pulled in most of them).
  libs=$(ldd "$out/usr/bin/qemu-system-riscv64" | awk '/not found/ {print $1}')
  if [ -n "$libs" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "setup: L0 QEMU lacks shared libraries ($(echo $libs)): run as root" >&2; return 1; }
    # qemu-system-riscv's own Depends that are libraries, taken from the host's sources (bookworm).
    apt-get install -y -q --no-install-recommends $(apt-cache "${A[@]}" depends qemu-system-riscv | awk '/Depends: lib/ {print $2}' | sort -u) >/dev/null
  fi
  ln -sfn "$key" "$cache/qemu/10"
  echo "setup: L0 QEMU: $("$out/usr/bin/qemu-system-riscv64" --version | head -1), in $out" >&2
}
install_qemu_l0
# --- end L0 QEMU 10 ---------------------------------------------------------------------------

# 2. Beside it: the packages nothing here needs, then (as root) the toolchain image for the build
#    test (containers/: an mmdebstrap, once per input hash; skipped when its saved tarball is here).
#    If the image cannot be made, the build test says why (or makes it) later.
later_pid=
imagelog=out/setup-toolchain-image.log
: >"$imagelog"
toolchain_image() {
  local lease=$cache/containers/docker/leases/$BASHPID rc=0
  mkdir -p "${lease%/*}" && : >"$lease"   # containers/engine.sh: the last user stops the dockerd
  if containers/engine.sh start --autostop >/dev/null; then containers/build-image.sh >/dev/null || rc=$?; else rc=$?; fi
  rm -f "$lease"
  containers/engine.sh stop --if-unused 2>/dev/null || true
  return "$rc"
}
later_job() {
  if ((${#later[@]})); then apt_install "${later[@]}" || return 1; fi
  if [ "$(id -u)" -eq 0 ] && [ ! -f "$cache/containers/bootcase-toolchain-bookworm-$(containers/build-image.sh --hash).tar.zst" ]; then
    echo "making the toolchain image" >"$imagelog"
    toolchain_image >>"$imagelog" 2>&1 || echo "setup: the toolchain image was not made: $(tail -n 1 "$imagelog"); the build test tries again" >&2
  fi
}
later_status() {
  running "$later_pid" || return 0
  if [ -s "$imagelog" ]; then echo "image: $(tail -n 1 "$imagelog")"; else echo "apt: $(apt_status)"; fi
}
if ((${#later[@]})) || [ "$(id -u)" -eq 0 ]; then
  ((${#later[@]} == 0)) || echo "setup: installing ${later[*]} beside the build" >&2
  bg_start later_job
  later_pid=$BG_PID later_st=$BG_STATUS
  pids+=("$later_pid")
fi
both() { local a b; a=$(kernel_status); b=$(later_status); echo "${a}${a:+${b:+; }}${b}"; }

# 3. npm: the locked versions, only when the lock file changed since the last install.
# (npm 11 writes lock files that list only this platform's optional packages, which `npm ci`
# then refuses as "out of sync"; `npm install --no-save` installs the same locked versions.)
npmlog=$(mktemp -t bootcase-npm.XXXXXX)
npm_status() {   # npm fetches every package's tarball (an "http fetch" line each, .tgz), then unpacks them all
  local total fetched rest
  total=$(grep -c '^    "node_modules/' package-lock.json || true)   # this platform's, and optional ones of others
  fetched=$(grep -c 'http fetch GET 200 [^ ]*\.tgz' "$npmlog" || true)
  rest=$(both)
  echo "fetched ${fetched:-0}/${total:-?} packages${rest:+; $rest}"
}
# --ignore-scripts: the only install scripts in the tree are optional native builds nothing here
# uses (ssh2's sshcrypto and cpu-features, for testcontainers' ssh transport; both fall back to
# JS), esbuild's and protobufjs's checks, and our own addon's, which runs below.
npm_install() {   # npm install, quiet unless it fails
  npm install --no-save --no-audit --no-fund --ignore-scripts --loglevel=http >"$npmlog" 2>&1 ||
    { grep -v 'http fetch' "$npmlog" | tail -n 30 >&2; echo "setup: npm install failed" >&2; return 1; }
}
stamp=node_modules/.bootcase-lock-sha
want=$(sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm install" >&2
  with_progress "setup: npm install" npm_status npm_install
  echo "$want" > "$stamp"
fi
# The native addon needs Node's C headers (node_api.h): NodeSource's nodejs package carries them,
# Debian's own nodejs has them in libnode-dev. npm install built it above (package.json
# "install"); this names what is missing when it could not.
node native/build.cjs >/dev/null

# 3b. Beside the build: the package test's scratch project (guests/package/scratch.ts), so the
#     first `npm test` does not download vitest and the package's dependencies on its clock. If it
#     fails, the package test makes it itself.
scratchlog=out/setup-scratch.log
bg_start node_modules/.bin/tsx guests/package/prepare-scratch.ts >"$scratchlog" 2>&1
scratch_pid=$BG_PID scratch_st=$BG_STATUS
pids+=("$scratch_pid")

# 4. The build: the VMM and the guests, then the kernel (waiting for step 1's, if it still runs).
buildlog=out/setup-build.log
bg_start node_modules/.bin/tsx images/build.ts >"$buildlog" 2>&1
build_pid=$BG_PID build_st=$BG_STATUS
pids+=("$build_pid")
build_status() {   # images/build.ts's own last line (its kernel line once step 1 is done), and step 2's
  local b rest
  b=$(tail -n 1 "$buildlog" 2>/dev/null | sed 's/^build: //')
  running "$kernel_pid" && b=$(kernel_status)
  rest=$(later_status)
  echo "${b}${rest:+; $rest}"
}
if ! wait_progress "setup: building" build_status "$build_pid" "$build_st"; then
  tail -n 30 "$buildlog" >&2
  [ -z "$kernel_pid" ] || tail -n 10 out/setup-kernel.log >&2
  echo "setup: the build failed (log: $buildlog)" >&2
  exit 1
fi
grep -E '^build: kernel .*: built in' "$buildlog" | sed 's/^build: /setup: /' >&2 || true
if [ -n "$kernel_pid" ]; then
  wait_progress "setup: kernel" kernel_status "$kernel_pid" "$kernel_st" || { tail -n 30 out/setup-kernel.log >&2; echo "setup: the kernel build failed (log out/setup-kernel.log)" >&2; exit 1; }
  echo "setup: kernel built in the background; $(tail -n 1 "$buildlog" | sed 's/^build: //')" >&2
fi
scratch_status() { echo "npm install of the package test's scratch project"; }
if ! wait_progress "setup: scratch project" scratch_status "$scratch_pid" "$scratch_st"; then
  echo "setup: the package test's scratch project was not made ($(tail -n 1 "$scratchlog")); the test makes it" >&2
fi
if [ -n "$later_pid" ]; then
  wait_progress "setup: finishing" later_status "$later_pid" "$later_st" || { echo "setup: apt-get install ${later[*]} failed" >&2; exit 1; }
  ! grep -q 'SOURCE=' "$imagelog" 2>/dev/null || echo "setup: toolchain image ready" >&2
fi
trap - EXIT
echo "setup: ok" >&2
