#!/usr/bin/env bash
# Install what bootcase needs on a fresh Debian 12 machine: the Debian packages (cross gcc,
# QEMU with OpenSBI, the kernel source, build deps) and the npm dependencies.
# Safe to re-run: it installs only what is missing. As non-root it lists what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  qemu-system-misc qemu-system-data opensbi       # L1 machine: qemu-system-riscv64 + OpenSBI firmware
  gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu libc6-dev-riscv64-cross  # static riscv64 VMM + guests
  linux-source-6.12 bc bison flex libssl-dev libelf-dev ccache xz-utils patch  # kernel builds
  cpio device-tree-compiler make gcc file e2fsprogs                         # unit tests, dtb checks, ext2 disks
  g++                                                                       # the native addon (native/: the VMM's loader for the harness)
  linux-source-6.1 debian-archive-keyring                                   # matrix (ci/matrix.ts): 6.1 L1, trixie L1 fetch
  docker.io debootstrap zstd                                                # toolchain container (containers/)
  clang libclang-rt-14-dev                                                  # libFuzzer target (make -C vmm fuzz)
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

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

# Install the locked versions, only when the lock file changed since the last install.
# (npm 11 writes lock files that list only this platform's optional packages, which `npm ci`
# then refuses as "out of sync"; `npm install --no-save` installs the same locked versions.)
stamp=node_modules/.bootcase-lock-sha
want=$(sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm install --no-save --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
# The native addon needs Node's C headers (node_api.h): NodeSource's nodejs package carries them,
# Debian's own nodejs has them in libnode-dev. npm install built it above (package.json
# "install"); this names what is missing when it could not.
node native/build.cjs >/dev/null
echo "setup: ok" >&2
