// The peer VMM for the side-by-side benchmark: Debian's riscv64 qemu-system-riscv64 (-accel kvm)
// as a directory tree for the L1 initramfs. It is fetched through the private apt
// (debian-apt.ts) with every package it depends on, unpacked, and cut down to the binary, its
// interpreter and the DT_NEEDED closure (shared-libs.ts). Cached under $BOOTCASE_CACHE by the
// versions of every package in that closure; the last good tree is reused when the archive is
// unreachable.
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { config } from '../harness/config.js';
import { debianApt, dependencyClosure, downloadDebs, run, type DebPackage } from './debian-apt.js';
import { treeClosure } from './shared-libs.js';

export interface QemuPeer {
  /** Host directory: the tree to add to an L1 initramfs as it is (`treeFiles(root)`). */
  root: string;
  /** The program's path in L1. */
  qemu: string;
  /** Environment it runs with. */
  env: Record<string, string>;
  /** For reports: suite, package and version, size. */
  describe: string;
  /** Bytes of regular files in the tree. */
  bytes: number;
}

const PACKAGE = 'qemu-system-riscv';
const PROGRAM = 'usr/bin/qemu-system-riscv64';
// Bump LAYOUT when what lands in the cache directory changes.
const LAYOUT = 1;
/** trixie's base-files makes these usrmerge links; it is not in qemu's dependencies. */
const USRMERGE: ReadonlyArray<[string, string]> = [
  ['lib', 'usr/lib'],
  ['bin', 'usr/bin'],
  ['sbin', 'usr/sbin'],
];

/** The cache key of a package set: every name, version and architecture. */
export function peerKey(pkgs: readonly DebPackage[]): string {
  const lines = pkgs.map((p) => `${p.pkg}=${p.version}/${p.arch}`).sort();
  return createHash('sha256').update(`${LAYOUT}\n${PACKAGE}\n${lines.join('\n')}`).digest('hex').slice(0, 12);
}

/**
 * Fetch (or reuse) `suite`'s riscv64 QEMU as an initramfs tree. Throws with what to do when the
 * archive cannot be reached and nothing is cached.
 */
export async function fetchQemuPeer(suite = 'trixie', log: (m: string) => void = () => {}): Promise<{ peer: QemuPeer; cached: boolean }> {
  const cacheRoot = join(config.cacheDir, 'qemu-peer');
  const lastFile = join(cacheRoot, `${suite}-last.json`);
  let pkgs: DebPackage[];
  let apt;
  try {
    apt = await debianApt(suite, log);
    pkgs = await dependencyClosure(apt, PACKAGE);
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    if (existsSync(lastFile)) {
      const last = JSON.parse(readFileSync(lastFile, 'utf8')) as QemuPeer;
      if (existsSync(join(last.root, PROGRAM))) {
        log(`qemu peer: cannot reach the Debian ${suite} archive (${why}); reusing ${last.describe}`);
        return { peer: last, cached: true };
      }
    }
    throw new Error(`qemu peer: cannot resolve ${PACKAGE} from Debian ${suite} riscv64 (${why}), and no peer is cached under ${cacheRoot}. It needs the archive your host's apt sources name, once.`, { cause: e });
  }
  const main = pkgs.find((p) => p.pkg === PACKAGE)!;
  const out = join(cacheRoot, `${suite}-${main.version.replace(/[^A-Za-z0-9.+-]/g, '_')}-${peerKey(pkgs)}`);
  const done = join(out, 'peer.json');
  if (existsSync(done)) return { peer: JSON.parse(readFileSync(done, 'utf8')) as QemuPeer, cached: true };

  log(`qemu peer: ${PACKAGE} ${main.version} and ${pkgs.length - 1} dependencies (about 35 MB, cached after)`);
  const debs = await downloadDebs(apt, pkgs, log);
  const tmp = `${out}.tmp${process.pid}`;
  const union = join(tmp, 'union');
  const root = join(tmp, 'root');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(union, { recursive: true });
  try {
    for (const deb of debs) await run('dpkg-deb', ['-x', deb, union]);
    for (const [link, target] of USRMERGE) if (!existsSync(join(union, link))) symlinkSync(target, join(union, link));
    const c = treeClosure(union, [`/${PROGRAM}`], (p) => readFileSync(p));
    if (c.missing.length) {
      throw new Error(`qemu peer: not in ${suite}'s ${PACKAGE} dependencies: ${c.missing.map((m) => `${m.soname} (needed by ${m.neededBy})`).join(', ')}`);
    }
    let bytes = 0;
    for (const f of c.files) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      copyFileSync(join(union, f), join(root, f));
      bytes += statSync(join(root, f)).size;
    }
    for (const l of c.links) {
      mkdirSync(dirname(join(root, l.path)), { recursive: true });
      if (!existsSync(join(root, l.path)) && !isLink(join(root, l.path))) symlinkSync(l.target, join(root, l.path));
    }
    rmSync(union, { recursive: true, force: true });
    const peer: QemuPeer = {
      root: join(out, 'root'),
      qemu: `/${PROGRAM}`,
      // ld.so finds them without it (its built-in multiarch dirs); this keeps it independent of that.
      env: { LD_LIBRARY_PATH: '/usr/lib/riscv64-linux-gnu' },
      describe: `Debian ${suite} ${PACKAGE} ${main.version} (${c.libs.size} libraries, ${(bytes / 1e6).toFixed(0)} MB)`,
      bytes,
    };
    writeFileSync(join(tmp, 'peer.json'), JSON.stringify(peer, null, 2));
    writeFileSync(join(tmp, 'packages.txt'), pkgs.map((p) => `${p.pkg} ${p.version} ${p.arch}`).join('\n') + '\n');
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
    writeFileSync(lastFile, JSON.stringify(peer, null, 2));
    log(`qemu peer: ${peer.describe} -> ${out}`);
    return { peer, cached: false };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
