// The doctor's probes on this machine (doctor.ts judges what they answer).
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_L1, installed, loadManifest, manifestPath, repoRoot } from '../config.js';
import { probeEngine } from '../build/engine.js';
import { kernelImagePath, LINUX_CONFIGS } from '../../images/build.js';
import { DEFAULT_L1_SOURCE } from '../../images/l1-source.js';
import type { DoctorProbes } from './doctor.js';

const firstLine = (s: string) => s.split('\n', 1)[0]!.trim();

export function machineProbes(): DoctorProbes {
  return {
    async version(cmd) {
      const r = await execa(cmd, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore' });
      return r.exitCode === 0 ? firstLine(r.stdout) : undefined;
    },
    async debVersion(pkg) {
      const r = await execa('dpkg-query', ['-W', '-f=${Status}\t${Version}', pkg], { reject: false, stdin: 'ignore' });
      const [status, version] = r.stdout.split('\t');
      return r.exitCode === 0 && status === 'install ok installed' ? version : undefined;
    },
    exists: existsSync,
    async kernels() {
      if (DEFAULT_L1_SOURCE.kind !== 'linux-source') return `the default L1 is not built from linux-source`;
      try {
        const l1 = await kernelImagePath(DEFAULT_L1_SOURCE.fragments.map((f) => join(repoRoot, f)), DEFAULT_L1_SOURCE.version);
        // the Linux guests boot the L1's Image (harness/guest/linux-configs.ts)
        return { [`L1 ${DEFAULT_L1} and the Linux guests (${LINUX_CONFIGS.join(', ')})`]: l1 };
      } catch {
        // the kernels' cache key hashes the installed linux-source and gcc versions
        return 'cannot tell before linux-source and the cross gcc are installed';
      }
    },
    builtMissing() {
      if (!existsSync(manifestPath)) return `not built yet (${manifestPath})`;
      try {
        loadManifest();
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
    async engine() {
      const probe = await probeEngine(5_000).catch((e: unknown) => ({ ok: false as const, reason: String(e) }));
      return probe.ok ? { ok: true, description: probe.description } : { ok: false, reason: probe.reason };
    },
    sudo: process.getuid?.() === 0 ? '' : 'sudo ',
    buildCommand: installed ? 'npx bootcase build' : 'npm run build',
    packageRoot: repoRoot,
  };
}
