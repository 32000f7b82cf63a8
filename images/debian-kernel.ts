// A Debian distro kernel as an L1: fetch the riscv64 linux-image package of a suite (trixie)
// through a private apt configuration (the host's /etc/apt and dpkg state are never touched),
// unpack the Image and the modules an L1 needs, and cache both by package version.
//
// The mirror comes from the host's own apt sources at run time: nothing here names a host.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { config, type L1Kernel } from '../harness/config.js';
import { debFileName, debianApt, debsDir, downloadDebs, run } from './debian-apt.js';

export { debianMirror } from './debian-apt.js';

/**
 * What an L1 must have, by Kconfig symbol -> module name. Built in (=y) needs nothing; modular
 * (=m) means the agent loads the module (and what it depends on) before looking for its ports.
 * VIRTIO_MMIO and VIRTIO_CONSOLE carry the harness's ports, VIRTIO_BLK the stage disks.
 */
export const L1_MODULE_SYMBOLS: Readonly<Record<string, string>> = {
  VIRTIO_MMIO: 'virtio_mmio',
  VIRTIO_CONSOLE: 'virtio_console',
  VIRTIO_BLK: 'virtio_blk',
  KVM: 'kvm',
};

/** The value of CONFIG_<sym> in a .config: 'y', 'm', a string, or undefined when not set. */
export function kconfigValue(dotConfig: string, sym: string): string | undefined {
  const m = new RegExp(`^CONFIG_${sym}=(.*)$`, 'm').exec(dotConfig);
  return m?.[1];
}

/** The modules an L1 with this .config must load (its =m L1 symbols); throws naming a missing one. */
export function l1Modules(kernel: string, dotConfig: string): string[] {
  const wanted: string[] = [];
  for (const [sym, mod] of Object.entries(L1_MODULE_SYMBOLS)) {
    const v = kconfigValue(dotConfig, sym);
    if (v === 'm') wanted.push(mod);
    else if (v !== 'y') throw new Error(`${kernel}: CONFIG_${sym} is not set: this kernel cannot be an L1`);
  }
  return wanted;
}

/** The `depends=` list of a module's .modinfo section (NUL-separated key=value strings). */
export function modinfoDepends(ko: Buffer): string[] {
  const key = Buffer.from('\0depends=');
  const i = ko.indexOf(key);
  if (i < 0) return [];
  const start = i + key.length;
  const end = ko.indexOf(0, start);
  return ko.subarray(start, end < 0 ? undefined : end).toString('latin1').split(',').filter(Boolean);
}

/** Load order for `wanted` modules: every module after the modules it depends on. */
export function moduleLoadOrder(wanted: readonly string[], depends: (name: string) => readonly string[]): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`module dependency cycle: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const d of depends(name)) visit(d, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const w of wanted) visit(w, []);
  return order;
}

/** The current linux-image-<abi>-riscv64 of `suite`: its package name and version. */
async function resolveImagePackage(suite: string, log: (m: string) => void): Promise<{ pkg: string; version: string }> {
  const apt = await debianApt(suite, log);
  // The meta package depends on the current ABI's image package.
  const meta = await run('apt-cache', [...apt.opts, 'show', '--no-all-versions', 'linux-image-riscv64']);
  const pkg = /^Depends:.*?\b(linux-image-[0-9][^\s,]*-riscv64)\b/m.exec(meta)?.[1];
  if (!pkg) throw new Error(`debian ${suite}: cannot find the image package in linux-image-riscv64's Depends:\n${meta}`);
  const show = await run('apt-cache', [...apt.opts, 'show', '--no-all-versions', pkg]);
  const version = /^Version:\s*(\S+)/m.exec(show)?.[1];
  if (!version) throw new Error(`debian ${suite}: no Version for ${pkg}`);
  return { pkg, version };
}

/** Find every *.ko / *.ko.xz under dir, by module name (dashes as underscores, as modinfo spells them). */
function indexModules(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ko(\.xz)?$/.test(e.name)) out.set(e.name.replace(/\.ko(\.xz)?$/, '').replace(/-/g, '_'), p);
    }
  };
  walk(dir);
  return out;
}

async function readModule(path: string): Promise<Buffer> {
  if (!path.endsWith('.xz')) return readFileSync(path);
  const r = await execa('xz', ['-dc', path], { encoding: 'buffer', stdin: 'ignore', reject: false });
  if (r.failed) throw new Error(`xz -dc ${path} failed (install xz-utils): ${Buffer.from(r.stderr).toString().trim()}`);
  return Buffer.from(r.stdout);
}

/**
 * The riscv64 kernel of a Debian suite as an L1: Image (the package's "vmlinux-*", a flat
 * EFI-stub Image QEMU boots with -kernel), its config, and the modules L1_MODULE_SYMBOLS asks
 * for, decompressed and in load order. Cached under $BOOTCASE_CACHE by package version; the
 * .deb itself is kept too. Reuses the last good result when the archive is unreachable.
 */
export async function fetchDebianKernel(suite: string, log: (m: string) => void = () => {}): Promise<{ l1: L1Kernel; cached: boolean }> {
  const root = join(config.cacheDir, 'debian');
  const lastFile = join(root, `${suite}-riscv64-last.json`);
  let resolved: { pkg: string; version: string };
  try {
    resolved = await resolveImagePackage(suite, log);
  } catch (e) {
    if (existsSync(lastFile)) {
      const last = JSON.parse(readFileSync(lastFile, 'utf8')) as L1Kernel;
      if ([last.kernel, ...(last.modules ?? [])].every((p) => existsSync(p))) {
        log(`debian ${suite}: cannot reach the archive (${(e as Error).message.split('\n')[0]}); reusing ${last.describe}`);
        return { l1: last, cached: true };
      }
    }
    throw e;
  }
  const { pkg, version } = resolved;
  // Bump LAYOUT when what lands in the cache directory changes.
  const LAYOUT = 1;
  const h = createHash('sha256').update(`${LAYOUT}\0${pkg}\0${version}\0${JSON.stringify(L1_MODULE_SYMBOLS)}`);
  const out = join(config.cacheDir, 'kernels', `debian-${suite}-${pkg.replace(/^linux-image-/, '')}-${h.digest('hex').slice(0, 12)}`);
  const done = join(out, 'l1.json');
  if (existsSync(done)) return { l1: JSON.parse(readFileSync(done, 'utf8')) as L1Kernel, cached: true };

  const debName = debFileName({ pkg, version, arch: 'riscv64' });
  if (!existsSync(join(debsDir(), debName))) log(`debian ${suite}: apt-get download ${pkg} ${version} (about 110 MB)`);
  const [deb] = await downloadDebs(await debianApt(suite, log), [{ pkg, version, arch: 'riscv64' }], log);
  const tmp = `${out}.tmp${process.pid}`;
  const tree = join(tmp, 'deb');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  try {
    await run('dpkg-deb', ['-x', deb!, tree]);
    const abi = pkg.replace(/^linux-image-/, '');
    const image = join(tree, 'boot', `vmlinux-${abi}`);
    const cfg = join(tree, 'boot', `config-${abi}`);
    if (!existsSync(image) || !existsSync(cfg)) throw new Error(`${debName}: no boot/vmlinux-${abi} or boot/config-${abi}`);
    const wanted = l1Modules(pkg, readFileSync(cfg, 'utf8'));
    const index = indexModules(join(tree, 'usr', 'lib', 'modules', abi));
    const bytes = new Map<string, Buffer>();
    const load = async (name: string) => {
      const p = index.get(name);
      if (!p) throw new Error(`${pkg}: module ${name} not found under usr/lib/modules/${abi}`);
      bytes.set(name, await readModule(p));
    };
    // Read each wanted module and, breadth first, everything it depends on.
    for (let queue = [...wanted]; queue.length; ) {
      const name = queue.shift()!;
      if (bytes.has(name)) continue;
      await load(name);
      queue.push(...modinfoDepends(bytes.get(name)!));
    }
    const order = moduleLoadOrder(wanted, (n) => modinfoDepends(bytes.get(n)!));
    mkdirSync(join(tmp, 'modules'));
    const modules = order.map((name) => {
      const p = join(out, 'modules', `${name}.ko`);
      writeFileSync(join(tmp, 'modules', `${name}.ko`), bytes.get(name)!);
      return p;
    });
    renameSync(image, join(tmp, 'Image'));
    renameSync(cfg, join(tmp, 'config'));
    rmSync(tree, { recursive: true, force: true });
    const l1: L1Kernel = { kernel: join(out, 'Image'), modules, describe: `Debian ${suite} ${pkg} ${version} (modules: ${order.join(' ') || 'none'})` };
    writeFileSync(join(tmp, 'l1.json'), JSON.stringify(l1, null, 2));
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
    writeFileSync(lastFile, JSON.stringify(l1, null, 2));
    log(`debian ${suite}: ${l1.describe} -> ${out}`);
    return { l1, cached: false };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
