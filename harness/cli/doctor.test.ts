import { describe, expect, test, vi } from 'vitest';
import { doctorChecks, doctorCommand, formatDoctor, PACKAGES, type DoctorProbes } from './doctor.js';
import { L0_MISSING_FIX } from '../stage/l0.js';

const KERNELS = { 'L1 6.12-tiny': '/c/kernels/l1/Image', 'guest tiny': '/c/kernels/tiny/Image' };

/** A machine with everything, unless `over` takes something away. */
function machine(over: Partial<DoctorProbes> & { absentPaths?: string[]; absentPkgs?: string[] } = {}): DoctorProbes {
  const { absentPaths = [], absentPkgs = [], ...rest } = over;
  return {
    version: async (cmd) => (cmd.includes('qemu') ? 'QEMU emulator version 7.2.22' : 'riscv64-linux-gnu-gcc (Debian 12.2.0-13) 12.2.0'),
    debVersion: async (pkg) => (absentPkgs.includes(pkg) ? undefined : '1.0'),
    exists: (p) => !absentPaths.includes(p),
    kernels: async () => KERNELS,
    builtMissing: () => undefined,
    engine: async () => ({ ok: true, description: 'engine 20.10 at unix:///var/run/docker.sock' }),
    sudo: 'sudo ',
    buildCommand: 'npx bootcase build',
    packageRoot: '/p/node_modules/bootcase',
    ...rest,
  };
}

const report = async (p: DoctorProbes) => formatDoctor(await doctorChecks(p, 'qemu-system-riscv64'));
/** The line of one item and the fix line under it, if any. */
const item = (text: string, name: string) => {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(`  ${name}  `));
  expect(i, `no line for ${name} in\n${text}`).toBeGreaterThanOrEqual(0);
  const next = lines[i + 1] ?? '';
  return { line: lines[i]!, fix: /^\s+fix: /.test(next) ? next.trim().slice('fix: '.length) : undefined };
};

describe('bootcase doctor', () => {
  test('everything present: every item ok with what it found, exit 0', async () => {
    const { text, code } = await report(machine());
    expect(code).toBe(0);
    expect(item(text, 'QEMU').line).toMatch(/^ok\s+QEMU\s+QEMU emulator version 7\.2\.22$/);
    expect(item(text, 'riscv64 cross gcc').line).toMatch(/12\.2\.0$/);
    expect(item(text, 'linux-source').line).toContain('linux-source-6.12 1.0 (/usr/src/linux-source-6.12.tar.xz)');
    expect(item(text, 'kernels').line).toMatch(/^ok\s+kernels\s+L1 6\.12-tiny, guest tiny built/);
    expect(item(text, 'container engine').line).toContain('engine 20.10');
    expect(text).not.toContain('fix:');
    expect(text.trim().split('\n').at(-1)).toBe('bootcase doctor: everything a boot needs is here');
  });

  test.each([
    ['QEMU', { version: async (cmd: string) => (cmd.includes('qemu') ? undefined : 'gcc 12') }, `sudo apt-get install -y ${PACKAGES.qemu.join(' ')}`],
    ['riscv64 cross gcc', { version: async (cmd: string) => (cmd.includes('qemu') ? 'QEMU 7.2' : undefined) }, `sudo apt-get install -y ${PACKAGES.gcc.join(' ')}`],
    ['linux-source', { absentPkgs: ['linux-source-6.12'] }, 'sudo apt-get install -y linux-source-6.12'],
    ['linux-source', { absentPaths: ['/usr/src/linux-source-6.12.tar.xz'] }, 'sudo apt-get install -y linux-source-6.12'],
    ['kernel build tools', { absentPkgs: ['bison', 'libelf-dev'] }, 'sudo apt-get install -y bison libelf-dev'],
    ['kernels', { absentPaths: ['/c/kernels/tiny/Image'] }, 'npx bootcase build'],
    ['kernels', { kernels: async () => 'cannot tell before linux-source and the cross gcc are installed' }, 'install the items above first'],
    ['VMM and guests', { builtMissing: () => 'not built yet (/c/pkg/x/manifest.json)' }, 'npx bootcase build'],
  ] as const)('%s missing: MISSING, what is missing, its fix command, exit 1', async (name, over, fix) => {
    const { text, code } = await report(machine(over as Parameters<typeof machine>[0]));
    expect(code).toBe(1);
    const { line, fix: got } = item(text, name);
    expect(line).toMatch(new RegExp(`^MISSING\\s+${name}`));
    expect(got).toBe(fix);
    expect(text.trim().split('\n').at(-1)).toBe(`bootcase doctor: 1 missing (${name}); run the fix commands above`);
    // only that item is missing
    expect(text.match(/^MISSING/gm)).toHaveLength(1);
  });

  test('the default L0 (QEMU 10, unpacked by ci/setup.sh) missing: its own fix, not an apt line', async () => {
    const p = machine({ version: async (cmd: string) => (cmd.includes('qemu') ? undefined : 'gcc 12') } as Parameters<typeof machine>[0]);
    const { text, code } = formatDoctor(await doctorChecks(p, '/c/qemu/10/usr/bin/qemu-system-riscv64', L0_MISSING_FIX));
    expect(code).toBe(1);
    expect(item(text, 'QEMU').line).toMatch(/^MISSING\s+QEMU\s+\/c\/qemu\/10\/usr\/bin\/qemu-system-riscv64 does not run/);
    expect(item(text, 'QEMU').fix).toBe(L0_MISSING_FIX);
    expect(L0_MISSING_FIX).toMatch(/bash ci\/setup\.sh.*BOOTCASE_L0=7\.2/);
  });

  test('the kernels item names the kernels that are not built', async () => {
    const { text } = await report(machine({ absentPaths: ['/c/kernels/l1/Image', '/c/kernels/tiny/Image'] }));
    expect(item(text, 'kernels').line).toMatch(/not built: L1 6\.12-tiny, guest tiny$/);
  });

  test('no container engine is optional: listed as absent with its fix, exit still 0', async () => {
    const { text, code } = await report(machine({ engine: async () => ({ ok: false, reason: 'no container engine answers (unix:///var/run/docker.sock: no such socket)' }) }));
    expect(code).toBe(0);
    const { line, fix } = item(text, 'container engine');
    expect(line).toMatch(/^absent\s+container engine\s+no container engine answers .*only buildGuests/);
    expect(fix).toBe('bash /p/node_modules/bootcase/containers/engine.sh start'); // docker is installed, not running
  });

  test('no docker at all: the engine fix installs it first', async () => {
    const { text } = await report(machine({
      version: async (cmd) => (cmd === 'docker' ? undefined : 'v1'),
      engine: async () => ({ ok: false, reason: 'no container engine answers' }),
    }));
    expect(item(text, 'container engine').fix).toBe('sudo apt-get install -y docker.io && bash /p/node_modules/bootcase/containers/engine.sh start');
  });

  test('as root the fixes have no sudo; several missing items are all counted', async () => {
    const { text, code } = await report(machine({ sudo: '', absentPkgs: ['linux-source-6.12', 'flex'], builtMissing: () => 'not built yet' }));
    expect(code).toBe(1);
    expect(item(text, 'linux-source').fix).toBe('apt-get install -y linux-source-6.12');
    expect(text).not.toContain('sudo');
    expect(text.trim().split('\n').at(-1)).toBe('bootcase doctor: 3 missing (linux-source, kernel build tools, VMM and guests); run the fix commands above');
  });

  test('--help says what it checks and what the exit status means, and checks nothing', async () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await doctorCommand(['--help'])).toBe(0);
      const text = out.mock.calls.map((c) => String(c[0])).join('\n');
      expect(text).toMatch(/^usage: bootcase doctor/m);
      expect(text).toContain('QEMU, the riscv64 cross gcc, linux-source, the kernels, a container engine');
      expect(text).toContain('Exit status: 0 when everything a boot needs is there');
    } finally {
      out.mockRestore();
    }
  });

  test('bad input: an argument or an unknown option is a usage error naming it', async () => {
    await expect(doctorCommand(['now'])).rejects.toThrow(/^bootcase doctor: unexpected argument now$/);
    await expect(doctorCommand(['--fix'])).rejects.toThrow(/^bootcase doctor: unknown option --fix \(see bootcase doctor --help\)$/);
  });
});
