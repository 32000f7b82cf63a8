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
  u-boot-qemu                                                               # the bootloader milestone (S-mode U-Boot, arch all)
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
