// A user-built kvm-unit-tests (riscv64) as a suite on this stack: the tests of its
// riscv/unittests.cfg, each booted as the suite's own runner boots it (scripts/runtime.bash,
// scripts/arch-run.bash): the test's command line in /chosen/bootargs, an environment initrd
// (plain KEY=VALUE lines, the suite's "env file", read by its lib/riscv setup into getenv())
// and its vCPU count. The `.flat` files carry a Linux Image header, which the VMM loads.
// Nothing of kvm-unit-tests is part of this repo: the user supplies the build.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { boot } from '../boot.js';
import { BootcaseError } from '../errors.js';
import { guest, type GuestSpec } from '../guest/guest.js';
import type { SbiServeName } from '../protocol/sbi.js';
import type { TapDeviations } from '../protocol/tap.js';
import type { RunResult } from '../run/result.js';
import type { Stage } from '../stage/stage.js';
import { parseUnittestsCfg, type KutTest } from './unittests-cfg.js';
import { judgeKut, type KutJudgement } from './verdict.js';

export class KutSuiteError extends BootcaseError {
  override readonly code = 'KUT_SUITE';
}

export const KUT_BUILD_HINT =
  'build kvm-unit-tests for riscv64 yourself: `./configure --arch=riscv64 --cross-prefix=riscv64-linux-gnu- && make` in a checkout of it (add --console=sbi for the SBI console variant), then give that folder';

export interface KutSuiteOptions {
  /** $MAX_SMP: the vCPUs for `smp = $MAX_SMP` (default 2). */
  cpus?: number;
  /** Run only these tests, by their [name]; a `nodefault` test runs only when named. */
  tests?: readonly string[];
  /** Guest RAM in MiB for every test (an extra_params -m wins); default the guest default. */
  memMiB?: number;
  /** SBI extensions the VMM serves itself (--sbi-serve), e.g. ['hsm'] for non-retentive suspend. */
  sbiServe?: readonly SbiServeName[];
  /** KEY=VALUE lines added to every test's environment (they override the runner's own). */
  env?: Readonly<Record<string, string>>;
  /** Checks known to fail on this stack, by exact name, pinned ({ result: 'FAIL' }). */
  knownDeviations?: TapDeviations;
}

export interface KutSuite {
  dir: string;
  /** `<dir>/riscv/unittests.cfg` */
  cfgPath: string;
  tests: (KutTest & { image: string })[];
}

/** Read `<dir>/riscv/unittests.cfg` and pick the tests to run; problems name the file or test. */
export function loadKutSuite(dir: string, opts: KutSuiteOptions = {}): KutSuite {
  const root = resolve(dir);
  const cfgPath = join(root, 'riscv', 'unittests.cfg');
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new KutSuiteError(`${dir}: no such folder; ${KUT_BUILD_HINT}`);
  if (!existsSync(cfgPath)) throw new KutSuiteError(`${cfgPath}: missing, so ${dir} is not a kvm-unit-tests tree; ${KUT_BUILD_HINT}`);
  const all = parseUnittestsCfg(readFileSync(cfgPath, 'utf8'), { path: cfgPath, maxSmp: opts.cpus ?? 2 });
  const unknown = (opts.tests ?? []).filter((n) => !all.some((t) => t.name === n));
  if (unknown.length) throw new KutSuiteError(`${cfgPath}: no test named ${unknown.join(', ')} (it has ${all.map((t) => t.name).join(', ')})`);
  const picked = all.filter((t) => (opts.tests?.length ? opts.tests.includes(t.name) : true));
  const tests = picked.map((t) => {
    const image = join(root, 'riscv', t.file);
    const out = { ...t, image };
    if (!t.skip && !opts.tests?.length && t.groups.includes('nodefault')) out.skip = 'test marked as manual run only (nodefault): name it to run it';
    else if (!t.skip && !existsSync(image)) out.skip = `Test file '${image}' not found (make it in ${root})`;
    return out;
  });
  return { dir: root, cfgPath, tests };
}

/**
 * The environment a test boots with, as the suite's runner makes it (env_params): the L1
 * kernel's version (what its errata checks compare), then the caller's lines.
 */
export function kutEnv(kernelRelease: string, extra: Readonly<Record<string, string>> = {}): string {
  const [ver = '', patch = '', rest = ''] = kernelRelease.split('.');
  const env: Record<string, string> = {
    KERNEL_VERSION_STRING: kernelRelease,
    KERNEL_VERSION: ver,
    KERNEL_PATCHLEVEL: patch,
    KERNEL_SUBLEVEL: rest.replace(/[^0-9].*$/, ''),
    ...extra,
  };
  for (const k of Object.keys(env)) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new KutSuiteError(`environment: "${k}" is not a variable name`);
  return Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join('');
}

/** Parse KEY=VALUE lines (an --env file); blank lines and # comments are skipped. */
export function parseEnvFile(text: string, path: string): Record<string, string> {
  const env: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new KutSuiteError(`${path}:${i + 1}: not a KEY=VALUE line: ${line}`);
    env[m[1]!] = m[2]!;
  });
  return env;
}

/** The guest of one test: its image, vCPUs, command line and environment initrd. */
export function kutGuest(t: KutSuite['tests'][number], envFile: string, opts: KutSuiteOptions): GuestSpec {
  const mem = t.memMiB ?? opts.memMiB;
  return guest({
    name: t.name,
    image: t.image,
    vmmArgs: ['--cpus', String(t.smp), ...(t.bootargs ? ['--append', t.bootargs] : [])],
    uploads: [{ flag: '--initrd', path: envFile }],
    timeoutMs: t.timeoutMs,
    ...(mem !== undefined ? { memMiB: mem } : {}),
    ...(opts.sbiServe?.length ? { sbiServe: opts.sbiServe } : {}),
  });
}

export interface KutOutcome extends KutJudgement {
  test: KutSuite['tests'][number];
  /** Absent for a test skipped before it booted. */
  run?: RunResult;
}

/** Boot one test on the stage and judge it. */
export async function runKutTest(stage: Stage, t: KutSuite['tests'][number], opts: KutSuiteOptions = {}, signal?: AbortSignal): Promise<KutOutcome> {
  const none = { pass: 0, skip: 0, deviation: 0, stale: 0, fail: 0 };
  if (t.skip) return { test: t, verdict: 'skip', why: t.skip, checks: none, report: { points: [] } };
  const tmp = mkdtempSync(join(tmpdir(), 'bootcase-kut-'));
  try {
    const envFile = join(tmp, `${t.name}.env`);
    writeFileSync(envFile, kutEnv(stage.kernelRelease, opts.env));
    await using vm = await boot(kutGuest(t, envFile, opts), { stage, label: `kvm-unit-tests-${t.name}`, ...(signal ? { signal } : {}) });
    const run = await vm.result();
    const j = judgeKut(run.console, { exit: run.exit, describe: run.describe() }, opts.knownDeviations ?? {});
    return { ...j, test: t, run };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
