// `bootcase doctor`: what this machine has and lacks to boot guests, each missing item with the
// command that fixes it. The checks are data over injected probes (doctor-probes.ts asks the
// machine), so the verdicts and their wording are unit-tested without changing the machine.
import { helpText, parse } from './args.js';
import { DOCTOR } from './specs.js';

/** What the machine answers; every probe says "absent" as undefined, never throws. */
export interface DoctorProbes {
  /** First line of `<cmd> --version`, or undefined when it does not run. */
  version(cmd: string): Promise<string | undefined>;
  /** An installed Debian package's version. */
  debVersion(pkg: string): Promise<string | undefined>;
  exists(path: string): boolean;
  /** The Image path of each kernel the stage and linuxGuest() boot, by name; a string: why it cannot be known. */
  kernels(): Promise<Record<string, string> | string>;
  /** The VMM + guests build: undefined when complete, else what is missing. */
  builtMissing(): string | undefined;
  /** A container engine that answers: its description, or why none does. */
  engine(): Promise<{ ok: true; description: string } | { ok: false; reason: string }>;
  /** `sudo ` unless we are root. */
  sudo: string;
  /** The command that builds what is missing: `npx bootcase build` (installed) or `npm run build`. */
  buildCommand: string;
  /** Where the package (or the repository) is: its containers/engine.sh starts an engine of our own. */
  packageRoot: string;
}

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** What is there (a version, a path) or what is not. */
  detail: string;
  /** The command that fixes it, when not ok. */
  fix?: string;
  /** Only some uses need it (a missing optional item does not fail the doctor). */
  optional?: boolean;
}

/** The Debian packages each item needs (ci/setup.sh installs the same ones). */
export const PACKAGES = {
  qemu: ['qemu-system-misc', 'qemu-system-data', 'opensbi'],
  gcc: ['gcc-riscv64-linux-gnu', 'binutils-riscv64-linux-gnu', 'libc6-dev-riscv64-cross'],
  linuxSource: ['linux-source-6.12'],
  kernelTools: ['make', 'bc', 'bison', 'flex', 'libssl-dev', 'libelf-dev', 'ccache', 'xz-utils', 'patch', 'cpio'],
  engine: ['docker.io'],
};

const apt = (p: DoctorProbes, pkgs: string[]) => `${p.sudo}apt-get install -y ${pkgs.join(' ')}`;

/**
 * `qemu` is the L0's binary; `unpackedFix`, when set, is how to get it (the default QEMU 10 is
 * unpacked by ci/setup.sh, not installed by apt).
 */
export async function doctorChecks(p: DoctorProbes, qemu: string, unpackedFix?: string): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const qv = await p.version(qemu);
  checks.push(qv ? { name: 'QEMU', ok: true, detail: qv } : { name: 'QEMU', ok: false, detail: `${qemu} does not run`, fix: unpackedFix ?? apt(p, PACKAGES.qemu) });
  const gv = await p.version('riscv64-linux-gnu-gcc');
  checks.push(gv ? { name: 'riscv64 cross gcc', ok: true, detail: gv } : { name: 'riscv64 cross gcc', ok: false, detail: 'riscv64-linux-gnu-gcc does not run', fix: apt(p, PACKAGES.gcc) });
  const tarball = '/usr/src/linux-source-6.12.tar.xz';
  const lv = await p.debVersion('linux-source-6.12');
  checks.push(lv && p.exists(tarball)
    ? { name: 'linux-source', ok: true, detail: `linux-source-6.12 ${lv} (${tarball})` }
    : { name: 'linux-source', ok: false, detail: `${tarball} is not there`, fix: apt(p, PACKAGES.linuxSource) });
  const lacking: string[] = [];
  for (const pkg of PACKAGES.kernelTools) if ((await p.debVersion(pkg)) === undefined) lacking.push(pkg);
  checks.push(lacking.length === 0
    ? { name: 'kernel build tools', ok: true, detail: PACKAGES.kernelTools.join(' ') }
    : { name: 'kernel build tools', ok: false, detail: `missing ${lacking.join(' ')}`, fix: apt(p, lacking) });
  const kernels = await p.kernels();
  if (typeof kernels === 'string') checks.push({ name: 'kernels', ok: false, detail: kernels, fix: 'install the items above first' });
  else {
    const absent = Object.entries(kernels).filter(([, path]) => !p.exists(path));
    checks.push(absent.length === 0
      ? { name: 'kernels', ok: true, detail: `${Object.keys(kernels).join(', ')} built (${Object.values(kernels)[0] ?? ''}, ...)` }
      : { name: 'kernels', ok: false, detail: `not built: ${absent.map(([name]) => name).join(', ')}`, fix: p.buildCommand });
  }
  const built = p.builtMissing();
  checks.push(built === undefined ? { name: 'VMM and guests', ok: true, detail: 'built' } : { name: 'VMM and guests', ok: false, detail: built, fix: p.buildCommand });
  const engine = await p.engine();
  // installed but not running: start one (bootcase's own dockerd under the cache, or the system's)
  const start = `bash ${p.packageRoot}/containers/engine.sh start`;
  const engineFix = (await p.version('docker')) ? start : `${apt(p, PACKAGES.engine)} && ${start}`;
  checks.push(engine.ok
    ? { name: 'container engine', ok: true, detail: engine.description, optional: true }
    : { name: 'container engine', ok: false, detail: `${engine.reason} (only buildGuests({ toolchain: 'container' }) needs one)`, fix: engineFix, optional: true });
  return checks;
}

/** The report, and the exit status: 0 when every required item is there, 1 otherwise. */
export function formatDoctor(checks: DoctorCheck[]): { text: string; code: 0 | 1 } {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.flatMap((c) => {
    const mark = c.ok ? 'ok     ' : c.optional ? 'absent ' : 'MISSING';
    const line = `${mark}  ${c.name.padEnd(width)}  ${c.detail}`;
    return c.ok || !c.fix ? [line] : [line, `${' '.repeat(9 + width)}  fix: ${c.fix}`];
  });
  const missing = checks.filter((c) => !c.ok && !c.optional);
  const summary = missing.length === 0
    ? 'bootcase doctor: everything a boot needs is here'
    : `bootcase doctor: ${missing.length} missing (${missing.map((c) => c.name).join(', ')}); run the fix commands above`;
  return { text: [...lines, '', summary].join('\n'), code: missing.length === 0 ? 0 : 1 };
}

export async function doctorCommand(argv: string[]): Promise<number> {
  if (parse(DOCTOR, argv).help) {
    console.log(helpText(DOCTOR));
    return 0;
  }
  const [{ machineProbes }, { config }, l0] = await Promise.all([import('./doctor-probes.js'), import('../config.js'), import('../stage/l0.js')]);
  const name = l0.l0Name();
  const unpacked = !config.qemu && l0.L0_QEMUS[name].kind === 'unpacked';
  const { text, code } = formatDoctor(await doctorChecks(machineProbes(), config.qemu ?? l0.l0Binary(name), unpacked ? l0.L0_MISSING_FIX : undefined));
  console.log(text);
  return code;
}
