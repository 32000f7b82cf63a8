// `bootcase run`: its options, and what they turn into before anything boots. Host paths are
// checked here and become uploads (files the VMM reads once) or stage disks (block devices),
// because VMM arguments name paths inside L1, which a user cannot reach.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GuestInit } from '../guest/guest.js';
import type { SbiExtName, SbiServeName } from '../protocol/sbi.js';
import type { StageDisk } from '../stage/qemu.js';
import { parse, UsageError, type CommandSpec } from './args.js';

const SBI_EXTS: readonly SbiExtName[] = ['v01', 'time', 'ipi', 'rfence', 'srst', 'hsm', 'pmu', 'experimental', 'vendor', 'dbcn', 'sta', 'susp', 'fwft', 'mpxy'];
const SBI_SERVE: readonly SbiServeName[] = ['time', 'ipi', 'hsm', 'susp', 'fwft'];
/** The VMM's own limits (vmm/include/config.h): refused here with the option named. */
const MAX_CPUS = 8;
const MAX_MEM_MIB = 65536;
const MAX_DISKS = 8;
/** Without a terminal a forgotten guest must still end; at one, the user ends it (Ctrl-a x). */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const INTERACTIVE_TIMEOUT_MS = 86_400_000;

export const RUN = {
  name: 'run',
  summary: 'Boot one guest on a fresh L1 stage, stream its console, and print how it ended and a boot timeline.',
  positionals: ['IMAGE'],
  options: {
    initrd: { type: 'string', metavar: 'FILE', help: 'initial ramdisk (host file, uploaded)' },
    append: { type: 'string', metavar: 'STR', help: 'kernel command line (/chosen/bootargs)' },
    cpus: { type: 'int', metavar: 'N', min: 1, max: MAX_CPUS, help: 'vCPUs' },
    mem: { type: 'int', metavar: 'MiB', min: 1, max: MAX_MEM_MIB, help: 'guest RAM (default 128)' },
    disk: { type: 'string', metavar: 'FILE[,ro]', multiple: true, help: 'virtio-blk disk (host file, attached; ",ro" read-only)' },
    'flat-load': { type: 'string', metavar: 'ADDR', help: 'IMAGE is a flat binary: load it at guest address ADDR (0x hex; default: not flat)' },
    'flat-entry': { type: 'string', metavar: 'ADDR', help: 'with --flat-load: enter the flat binary at ADDR (default: its first byte)' },
    firmware: { type: 'string', metavar: 'FILE', help: 'flat binary run in M-mode before the kernel (host file, uploaded)' },
    profile: { type: 'string', metavar: 'NAME', choices: ['xv6'], help: 'machine profile; xv6 also uploads the M-mode shim' },
    fs: { type: 'string', metavar: 'FILE', help: 'with --profile xv6: fs.img (a private copy is attached)' },
    trace: { type: 'list', metavar: 'KINDS', choices: ['sbi'], help: 'trace into the events and print after the run' },
    'sbi-serve': { type: 'list', metavar: 'EXTS', choices: SBI_SERVE, help: 'SBI extensions the VMM serves instead of KVM' },
    'sbi-disable': { type: 'list', metavar: 'EXTS', choices: SBI_EXTS, help: 'SBI extensions taken away from the guest' },
    'dump-dtb': { type: 'string', metavar: 'FILE', help: 'write the device tree the guest would get to FILE and exit (no run)' },
    'timeout-ms': { type: 'int', metavar: 'N', min: 1, max: 86_400_000 * 365, help: `deadline (default ${DEFAULT_TIMEOUT_MS}; one day on a terminal)` },
  },
  passthrough: 'more VMM options as they are (paths in them are L1 paths; docs/protocol.md)',
  details: [
    'IMAGE is a host path (ELF, Linux Image, or a flat binary with --flat-load) or a milestone guest name (bootcase list).',
    'It is checked before boot by the VMM\'s own loader: anything else is refused, with the reason.',
    'On a terminal the console is raw: keys go to the guest; Ctrl-a x quits, Ctrl-a Ctrl-a sends Ctrl-a.',
    'Piped stdin is forwarded to the guest console as it arrives.',
    'Exit status: 0 the guest passed, 1 it failed (or was stopped), 2 usage or setup error.',
  ].join('\n'),
} as const satisfies CommandSpec;

export interface RunPlan {
  /** IMAGE as given: a host path, or a milestone guest name. */
  target: string;
  /** Everything of the guest but its image (resolved by the caller: it may need the manifest). */
  init: Omit<GuestInit, 'image'>;
  /** Host files the stage passes through as disks, by serial. */
  disks: StageDisk[];
  /** `--profile xv6`: the caller adds the shim and the fs.img copy (they need the manifest). */
  xv6?: { fs?: string };
  /** `--dump-dtb FILE`: the host file the VMM's tree goes to. */
  dumpDtb?: string;
}

/** A host file the user named: it must be a readable regular file; the path is made absolute. */
function hostFile(flag: string, path: string): string {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new UsageError(`bootcase run: ${flag} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e)}`);
  }
  if (!st.isFile()) throw new UsageError(`bootcase run: ${flag} ${path}: not a regular file`);
  return resolve(path);
}

/** A guest physical address option: 0x hex or decimal. */
function address(flag: string, v: string): bigint {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(v) || BigInt(v) === 0n || BigInt(v) >= 1n << 64n) throw new UsageError(`bootcase run: --${flag} '${v}' is not a guest address (0x80200000)`);
  return BigInt(v);
}

/** argv of `bootcase run` to a plan, or undefined for --help; throws UsageError (exit 2). */
export function planRun(argv: readonly string[], opts: { interactive?: boolean } = {}): RunPlan | undefined {
  const p = parse(RUN, argv);
  if (p.help) return undefined;
  const v = p.values;
  if (v.fs !== undefined && v.profile !== 'xv6') throw new UsageError('bootcase run: --fs needs --profile xv6');
  if (v.firmware !== undefined && v.profile === 'xv6') throw new UsageError('bootcase run: --firmware and --profile xv6 both give the firmware (xv6 brings its shim)');
  if (v['flat-entry'] !== undefined && v['flat-load'] === undefined) throw new UsageError('bootcase run: --flat-entry needs --flat-load ADDR');
  const flat = v['flat-load'] !== undefined ? { format: 'flat' as const, loadAddr: address('flat-load', v['flat-load']), ...(v['flat-entry'] !== undefined ? { entry: address('flat-entry', v['flat-entry']) } : {}) } : {};
  const vmmArgs: string[] = [];
  const uploads: GuestInit['uploads'] = [];
  if (v.initrd !== undefined) uploads.push({ flag: '--initrd', path: hostFile('--initrd', v.initrd) });
  if (v.firmware !== undefined) uploads.push({ flag: '--firmware', path: hostFile('--firmware', v.firmware) });
  if (v.append !== undefined) vmmArgs.push('--append', v.append);
  if (v.cpus !== undefined) vmmArgs.push('--cpus', String(v.cpus));
  if ((v.disk?.length ?? 0) > MAX_DISKS) throw new UsageError(`bootcase run: at most ${MAX_DISKS} --disk`);
  const disks: StageDisk[] = (v.disk ?? []).map((d, i) => {
    // only a last ",ro" is the option, as in the VMM: a path may hold commas
    const readOnly = d.endsWith(',ro');
    const id = `disk${i}`;
    vmmArgs.push('--disk', `serial:${id}${readOnly ? ',ro' : ''}`);
    return { id, path: hostFile('--disk', readOnly ? d.slice(0, -3) : d), ...(readOnly ? { readOnly } : {}) };
  });
  if (v['dump-dtb'] !== undefined) {
    if (!v['dump-dtb']) throw new UsageError('bootcase run: --dump-dtb needs a file name');
    // the VMM writes the tree to its console ("-"); the CLI saves those bytes on the host
    vmmArgs.push('--dump-dtb', '-');
  }
  // After `--` a path would name a file inside L1, which the user cannot put there: point them
  // at the option that uploads it (the old `-- --initrd /host/file` failed in the VMM)
  const pathOpt = p.rest.find((a, i) => ['--kernel', '--initrd', '--firmware', '--dump-dtb'].includes(a) || (a === '--disk' && !p.rest[i + 1]?.startsWith('serial:')));
  if (pathOpt) throw new UsageError(`bootcase run: ${pathOpt} after -- names a path inside L1; give ${pathOpt === '--kernel' ? 'IMAGE' : pathOpt} before -- with a host file`);
  vmmArgs.push(...p.rest);
  const init: RunPlan['init'] = {
    ...flat,
    vmmArgs,
    uploads,
    timeoutMs: v['timeout-ms'] ?? (opts.interactive ? INTERACTIVE_TIMEOUT_MS : DEFAULT_TIMEOUT_MS),
    ...(v.mem !== undefined ? { memMiB: v.mem } : {}),
    ...(v.trace ? { trace: v.trace as 'sbi'[] } : {}),
    ...(v['sbi-serve'] ? { sbiServe: v['sbi-serve'] as SbiServeName[] } : {}),
    ...(v['sbi-disable'] ? { sbiDisable: v['sbi-disable'] as SbiExtName[] } : {}),
  };
  return {
    target: p.positionals[0]!,
    init,
    disks,
    ...(v.profile === 'xv6' ? { xv6: v.fs !== undefined ? { fs: hostFile('--fs', v.fs) } : {} } : {}),
    ...(v['dump-dtb'] !== undefined ? { dumpDtb: resolve(v['dump-dtb']) } : {}),
  };
}
