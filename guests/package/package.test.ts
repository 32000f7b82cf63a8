// bootcase as another repository uses it: `npm pack`, the tarball installed next to vitest in a
// scratch project outside this repo, and there a vitest file that boots one of our milestones and
// a guest of the project's own (`import { boot } from 'bootcase'`, `import { test, expect } from
// 'bootcase/vitest'`), tsc over it against the published types, and the CLI alone. It shares the
// cache (~/.cache/bootcase), so the kernels are ours, not rebuilt; the package's VMM and guests
// are built there once per version and input hash. The scratch project's node_modules start from a
// template in the cache (scratch.ts): a tree installed once, the new tarball installed over it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type Options } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { config, repoRoot, scaled } from '../../harness/config.js';
import { killLeftovers, printed, processesWith } from './procs.js';
import { selectL0 } from '../../harness/stage/l0.js';
import { installScratch, npmFreeEnv, SCRATCH_EXTRAS, SCRATCH_PACKAGE_JSON, show } from './scratch.js';

const scratch = mkdtempSync(join(tmpdir(), 'bootcase-scratch-'));
/** The scratch project's runs keep their stage sockets here: a marker no other process has. */
const marker = join(scratch, 'tmp');
mkdirSync(marker);
const env = npmFreeEnv();
const inScratch = (file: string, args: string[], opts: Options = {}) =>
  execa(file, args, { cwd: scratch, env: { ...env, TMPDIR: marker, BOOTCASE_CACHE: config.cacheDir, NO_COLOR: '1' }, extendEnv: false, reject: false, stdin: 'ignore', ...opts });

// A guest of the project's own: the legacy SBI console, then an SRST shutdown.
const OWN_GUEST = `
  .globl _start
_start:
  lla s0, msg
1:lbu a0, 0(s0)
  beqz a0, 2f
  li a7, 1          /* legacy console_putchar */
  ecall
  addi s0, s0, 1
  j 1b
2:li a7, 0x53525354 /* SRST: shutdown, no reason */
  li a6, 0
  li a0, 0
  li a1, 0
  ecall
msg: .asciz "scratch guest says hi\\n"
`;

const TEST_FILE = `
import { asmGuest, boot, guest } from 'bootcase';
import { describe, expect, test } from 'bootcase/vitest';

const own = guest({ image: new URL('./hi.elf', import.meta.url).pathname, timeoutMs: 20_000 });

describe('from another repository', () => {
  test('one of ours: hello-dbcn on the file stage', async ({ stage }) => {
    await using vm = await boot('hello-dbcn', { stage });
    const run = await vm.result();
    expect(run).toHaveExited('shutdown');
    expect(run).toPrint('Hello from guest via DBCN');
  });
  test('our own guest, with the boot fixture', async ({ boot }) => {
    await using vm = await boot(own);
    await vm.waitForLine(/scratch guest says hi/);
    const run = await vm.result();
    expect(run).toEndAs({ exit: 'shutdown', print: /scratch guest says hi/ });
  });
  test('boot() alone: a stage of its own', async () => {
    await using vm = await boot(asmGuest('report-pass'));
    expect(await vm.result()).toHaveExited('report', { code: 0 });
  });
});
`;

let tarball = '';
beforeAll(async () => {
  const t0 = performance.now();
  const pack = await execa('npm', ['pack', '--pack-destination', scratch, '--json'], { cwd: repoRoot, env, extendEnv: false, reject: false, timeout: scaled(180_000) });
  if (pack.exitCode !== 0) throw new Error(show(pack));
  tarball = join(scratch, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
  const packed = performance.now();
  writeFileSync(join(scratch, 'package.json'), SCRATCH_PACKAGE_JSON);
  await installScratch(scratch, tarball, SCRATCH_EXTRAS, (cwd, args) => inScratch('npm', args, { cwd, timeout: scaled(400_000) }));
  // the setup is most of this file's time: say where it went
  console.error(`package test: npm pack ${((packed - t0) / 1000).toFixed(0)} s, npm install ${((performance.now() - packed) / 1000).toFixed(0)} s (${scratch})`);
  execFileSync('riscv64-linux-gnu-gcc', ['-nostdlib', '-static', '-no-pie', '-fno-pie', '-Wl,-Ttext=0x80200000', '-Wl,--build-id=none', '-o', join(scratch, 'hi.elf'), '-x', 'assembler-with-cpp', '-'], { input: OWN_GUEST });
  writeFileSync(join(scratch, 'boot.test.ts'), TEST_FILE);
  // nested TCG is slow: a user's vitest needs deadlines to match, as ours do (vitest.config.ts)
  writeFileSync(join(scratch, 'vitest.config.ts'), `import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { testTimeout: ${scaled(120_000)}, hookTimeout: ${scaled(120_000)} } });\n`);
  writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, include: ['*.ts'] }));
}, scaled(600_000));

afterAll(() => {
  killLeftovers(marker);
  rmSync(scratch, { recursive: true, force: true });
});

const pkg = () => join(scratch, 'node_modules/bootcase');

describe('the packed tarball in a scratch project', () => {
  test('is public, and ships compiled JS with types, the C and guest sources, and no TypeScript or tsx', () => {
    const manifest = JSON.parse(readFileSync(join(pkg(), 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.private).toBeUndefined();
    for (const f of ['dist/harness/index.js', 'dist/harness/index.d.ts', 'dist/harness/vitest/index.js', 'dist/harness/vitest/index.d.ts', 'vmm/Makefile', 'guests/asm/Makefile', 'images/kernels/build-kernel.sh']) {
      expect(existsSync(join(pkg(), f)), f).toBe(true);
    }
    const ts = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? ts(join(dir, e.name)) : /(?<!\.d)\.ts$/.test(e.name) ? [join(dir, e.name)] : []));
    expect(ts(pkg())).toEqual([]);
    // the tarball this run packed, not an earlier one
    expect(readFileSync(join(pkg(), 'dist/harness/cli/main.js'), 'utf8')).toBe(readFileSync(join(repoRoot, 'dist/harness/cli/main.js'), 'utf8'));
    expect(existsSync(join(scratch, 'node_modules/tsx')), 'tsx was installed').toBe(false);
  });

  test('tsc checks a test file against the published types (both entries, the matchers)', async () => {
    const r = await inScratch('npx', ['tsc', '-p', '.'], { timeout: scaled(120_000) });
    expect(r.exitCode, show(r)).toBe(0);
  });

  test('vitest there boots one of our milestones, a guest of its own, and boot() alone', async () => {
    const r = await inScratch('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=results.json'], { timeout: scaled(600_000) });
    expect(r.exitCode, show(r)).toBe(0);
    const results = JSON.parse(readFileSync(join(scratch, 'results.json'), 'utf8')) as { testResults: { assertionResults: { title: string; status: string }[] }[] };
    const got = results.testResults.flatMap((f) => f.assertionResults.map((a) => [a.title, a.status]));
    expect(got).toEqual([
      ['one of ours: hello-dbcn on the file stage', 'passed'],
      ['our own guest, with the boot fixture', 'passed'],
      ['boot() alone: a stage of its own', 'passed'],
    ]);
  });

  test('the CLI alone: npx bootcase run boots our milestone and the project\'s own guest', async () => {
    const ours = await inScratch('npx', ['bootcase', 'run', 'hello-dbcn'], { timeout: scaled(180_000) });
    expect(ours.exitCode, show(ours)).toBe(0);
    expect(ours.stdout).toBe('Hello from guest via DBCN');
    const own = await inScratch('npx', ['bootcase', 'run', './hi.elf', '--timeout-ms', '20000'], { timeout: scaled(180_000) });
    expect(own.exitCode, show(own)).toBe(0);
    expect(own.stdout).toBe('scratch guest says hi');
    expect(own.stderr).toMatch(/hi: shutdown/);
  });

  test('npx bootcase doctor, for real: every required item present, exit 0', async () => {
    const r = await inScratch('npx', ['bootcase', 'doctor'], { timeout: scaled(120_000) });
    expect(r.exitCode, show(r)).toBe(0);
    for (const name of ['QEMU', 'riscv64 cross gcc', 'linux-source', 'kernel build tools', 'kernels', 'VMM and guests']) {
      expect(r.stdout).toMatch(new RegExp(`^ok\\s+${name}\\s`, 'm'));
    }
    expect(r.stdout).toMatch(/^(ok|absent)\s+container engine/m);
  });

  test('SIGTERM to the installed bin stops the run and its QEMU, and it exits 1', async () => {
    const live = inScratch(join(scratch, 'node_modules/.bin/bootcase'), ['run', 'hang', '--timeout-ms', '60000'], { timeout: scaled(120_000) });
    await printed(live, 'spinning forever');
    expect(processesWith(marker).some((p) => p.cmd.includes(selectL0().qemu)), 'QEMU of this run').toBe(true);
    live.kill('SIGTERM');
    const r = await live;
    expect(r.stderr).toMatch(/hang: stopped by the user \(hart 0 at pc 0x[0-9a-f]+\)/);
    expect(r.exitCode).toBe(1);
    expect(processesWith(marker)).toEqual([]);
  });
});
