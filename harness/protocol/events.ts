// The one place that parses the agent/VMM event stream (docs/protocol.md, "Events port").
// Every other module consumes these typed values; nobody else looks at raw JSON lines.
import { ProtocolError } from '../errors.js';
import { checkShape, type Shape } from './shape.js';

export const PROTOCOL_VERSION = 1;

export type ExitKind = 'shutdown' | 'reboot' | 'report' | 'fault' | 'timeout' | 'error';

/**
 * The fault kinds, as vmm/include/faults.h names them (events.test.ts checks this list against
 * the header through the native addon); the Fault union gives each its fields.
 */
export const FAULT_KINDS = ['mmio-unmapped', 'sbi-unknown', 'kvm-run', 'kvm-exit', 'device'] as const satisfies readonly Fault['kind'][];

export type Fault =
  | { kind: 'mmio-unmapped'; addr: bigint; len: number; write: boolean; pc: bigint | null }
  | { kind: 'sbi-unknown'; eid: bigint; fid: bigint; pc: bigint | null }
  | {
      kind: 'kvm-run';
      errno: number;
      msg: string;
      /** The hart whose KVM_RUN failed (absent for a host failure outside any vCPU) and its pc. */
      hart?: number;
      pc: bigint | null;
      /** The trap KVM could not handle, from its report in L1's kernel log (when it logged one). */
      scause?: bigint;
      stval?: bigint;
      htval?: bigint;
      htinst?: bigint;
    }
  | { kind: 'kvm-exit'; reason: number }
  | { kind: 'device'; device: string; msg: string };

export interface ExitCounts {
  total: number;
  sbi: number;
  mmio: number;
  system_event: number;
  intr: number;
  other: number;
}

export interface EndEvent {
  ev: 'end';
  run: number;
  t_us: number;
  exit: ExitKind;
  reason?: number;
  code?: number;
  fault?: Fault;
  msg?: string;
  exits: ExitCounts;
  sbi: Record<string, number>;
  guest_us?: number;
  /** Bytes the VMM wrote to the console in this run (the console travels on its own port). */
  console_bytes?: number;
  /** Bytes the VMM could not write to the console: its reader was gone, or stalled at the end. */
  console_dropped?: number;
  /** With `--sbi-trace`: whether KVM showed the VMM the calls it answered itself (the L1 patch's REPORT mode). */
  sbi_trace_kvm?: boolean;
  /** A timeout: what stopped it (`deadline` = --timeout-ms, `sigterm` = the agent's kill at the harness deadline). */
  by?: 'deadline' | 'sigterm';
  /** A timeout: each hart's pc when it was stopped, by hart id (null: KVM did not give it back). */
  hart_pcs?: (bigint | null)[];
}

export interface StartEvent {
  ev: 'start';
  run: number;
  t_us: number;
  mem_mib: number;
  cpus: number;
  image: string;
  format: string;
  /** `--sbi-disable`: the extensions taken from the guest (NOT_SUPPORTED, probe 0). */
  sbi_disabled?: string[];
  /** `--sbi-serve`: the extensions the VMM serves instead of KVM. */
  sbi_served?: string[];
  /** `--sbi-trace`: every SBI call is an `sbi` event. */
  sbi_trace?: boolean;
}

/**
 * One SBI call (`--sbi-trace`), in the order they were answered: the call as the guest made it
 * (a7 = eid, a6 = fid, a0..a5 = args), what the guest got in a0 (`error`, signed) and a1
 * (`value`), and who answered (`by`). Calls KVM answers itself appear only when the L1 kernel
 * reports them (our patched L1 does; see EndEvent.sbi_trace_kvm); SRST always appears.
 */
export interface SbiEvent {
  ev: 'sbi';
  run: number;
  t_us: number;
  hart: number;
  eid: bigint;
  fid: bigint;
  args: bigint[];
  error: number;
  value: bigint;
  by: 'vmm' | 'kvm';
}

export type StageEvent =
  | { ev: 'agent-ready'; uptime_us: number; kernel: string; kvm_api: number }
  | { ev: 'put-done'; path: string; bytes: number }
  | { ev: 'pong'; uptime_us: number; token: string; kernel: string }
  | { ev: 'error'; msg: string; run?: number }
  | StartEvent
  /** The agent's start of an exec run (an L1 program instead of a VMM). */
  | { ev: 'start'; run: number; t_us: number; path: string; pid: number }
  | { ev: 'phase'; run: number; t_us: number; name: string }
  | { ev: 'mark'; run: number; t_us: number; id: number }
  | SbiEvent
  | EndEvent
  | { ev: 'run-exit'; run: number; status: number; signal: number }
  | { ev: 'unknown'; raw: Record<string, unknown> };

export { ProtocolError };

const EXIT_KINDS: readonly ExitKind[] = ['shutdown', 'reboot', 'report', 'fault', 'timeout', 'error'];
const ZERO_COUNTS: ExitCounts = { total: 0, sbi: 0, mmio: 0, system_event: 0, intr: 0, other: 0 };

/** Hex strings ("0x10000000") carry 64-bit values; numbers are accepted too. */
function big(v: unknown): bigint {
  if (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new ProtocolError(`expected a hex string, got ${JSON.stringify(v)}`);
}

/** A pc the VMM could not read back is null, never a made-up 0x0. */
const pcOrNull = (v: unknown): bigint | null => (v === null ? null : big(v));

function parseFault(f: Record<string, unknown>): Fault {
  switch (f.kind) {
    case 'mmio-unmapped':
      return { kind: f.kind, addr: big(f.addr), len: Number(f.len), write: Boolean(f.write), pc: pcOrNull(f.pc) };
    case 'sbi-unknown':
      return { kind: f.kind, eid: big(f.eid), fid: big(f.fid), pc: pcOrNull(f.pc) };
    case 'kvm-run': {
      const trap = Object.fromEntries((['scause', 'stval', 'htval', 'htinst'] as const).filter((k) => f[k] !== undefined).map((k) => [k, big(f[k])]));
      return {
        kind: f.kind,
        errno: Number(f.errno),
        msg: String(f.msg ?? ''),
        ...(Number.isInteger(f.hart) ? { hart: f.hart as number } : {}),
        pc: f.pc === undefined ? null : pcOrNull(f.pc),
        ...trap,
      };
    }
    case 'kvm-exit':
      return { kind: f.kind, reason: Number(f.reason) };
    case 'device':
      return { kind: f.kind, device: String(f.device), msg: String(f.msg ?? '') };
    default:
      throw new ProtocolError(`unknown fault kind ${JSON.stringify(f.kind)}`);
  }
}

function parseSbi(raw: Record<string, unknown>): SbiEvent {
  if (!Array.isArray(raw.args) || raw.args.length !== 6) throw new ProtocolError(`sbi event without its 6 args: ${JSON.stringify(raw)}`);
  if (typeof raw.error !== 'number' || !Number.isInteger(raw.hart)) throw new ProtocolError(`sbi event without hart or error: ${JSON.stringify(raw)}`);
  if (raw.by !== 'vmm' && raw.by !== 'kvm') throw new ProtocolError(`sbi event without who answered ("by": "vmm" or "kvm"): ${JSON.stringify(raw)}`);
  return {
    ev: 'sbi',
    run: Number(raw.run),
    t_us: Number(raw.t_us ?? 0),
    hart: Number(raw.hart),
    eid: big(raw.eid),
    fid: big(raw.fid),
    args: raw.args.map(big),
    error: raw.error,
    value: big(raw.value),
    by: raw.by,
  };
}

/** The fields of every event kind other than end and sbi (parsed above), as the agent and VMM write them. */
const SHAPES: Readonly<Record<string, Shape>> = {
  'agent-ready': { uptime_us: 'num', kernel: 'str', kvm_api: 'int' },
  'put-done': { path: 'str', bytes: 'int' },
  pong: { uptime_us: 'num', token: 'str', kernel: 'str' },
  error: { msg: 'str', run: 'int?' },
  phase: { run: 'int?', t_us: 'num', name: 'str' },
  mark: { run: 'int?', t_us: 'num', id: 'int' },
  'run-exit': { run: 'int', status: 'int', signal: 'int' },
};
const VMM_START: Shape = { run: 'int?', t_us: 'num', mem_mib: 'int', cpus: 'int', image: 'str', format: 'str', sbi_disabled: 'strs?', sbi_served: 'strs?', sbi_trace: 'bool?' };
const EXEC_START: Shape = { run: 'int', t_us: 'num', path: 'str', pid: 'int' };

/** Parse one line of the events port. Throws ProtocolError on malformed input. */
export function parseEvent(line: string): StageEvent {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new ProtocolError(`event line is not JSON: ${line.slice(0, 200)}`);
  }
  if (typeof raw !== 'object' || raw === null) throw new ProtocolError(`event is not an object: ${line}`);
  if (raw.v !== PROTOCOL_VERSION) throw new ProtocolError(`event has protocol version ${String(raw.v)}, want ${PROTOCOL_VERSION}: ${line}`);
  switch (raw.ev) {
    case 'end': {
      const exit = raw.exit as ExitKind;
      if (!EXIT_KINDS.includes(exit)) throw new ProtocolError(`end event with unknown exit ${JSON.stringify(raw.exit)}`);
      const end: EndEvent = {
        ev: 'end',
        run: Number(raw.run),
        t_us: Number(raw.t_us ?? 0),
        exit,
        exits: { ...ZERO_COUNTS, ...(raw.exits as Partial<ExitCounts> | undefined) },
        sbi: { ...(raw.sbi as Record<string, number> | undefined) },
      };
      if (raw.reason !== undefined) end.reason = Number(raw.reason);
      if (raw.code !== undefined) end.code = Number(raw.code);
      if (raw.msg !== undefined) end.msg = String(raw.msg);
      if (raw.guest_us !== undefined) end.guest_us = Number(raw.guest_us);
      if (raw.console_bytes !== undefined) end.console_bytes = Number(raw.console_bytes);
      if (raw.console_dropped !== undefined) end.console_dropped = Number(raw.console_dropped);
      if (raw.sbi_trace_kvm !== undefined) end.sbi_trace_kvm = raw.sbi_trace_kvm === true;
      if (raw.by === 'deadline' || raw.by === 'sigterm') end.by = raw.by;
      if (Array.isArray(raw.hart_pcs)) end.hart_pcs = raw.hart_pcs.map(pcOrNull);
      if (raw.fault !== undefined) end.fault = parseFault(raw.fault as Record<string, unknown>);
      return end;
    }
    case 'sbi':
      return parseSbi(raw);
    case 'start':
      checkShape(raw, 'path' in raw ? EXEC_START : VMM_START);
      return raw as unknown as StageEvent;
    case 'agent-ready':
    case 'put-done':
    case 'pong':
    case 'error':
    case 'phase':
    case 'mark':
    case 'run-exit':
      checkShape(raw, SHAPES[raw.ev]);
      return raw as unknown as StageEvent;
    default:
      return { ev: 'unknown', raw };
  }
}

/** Render a fault the way error messages and the CLI show it. */
export function describeFault(f: Fault): string {
  const hex = (v: bigint | null) => (v === null ? 'unknown' : `0x${v.toString(16)}`);
  switch (f.kind) {
    case 'mmio-unmapped':
      return `unmapped MMIO ${f.write ? 'write' : 'read'} of ${f.len} bytes at ${hex(f.addr)} (pc ${hex(f.pc)})`;
    case 'sbi-unknown':
      return `unknown SBI call EID ${hex(f.eid)} FID ${hex(f.fid)} (pc ${hex(f.pc)})`;
    case 'kvm-run': {
      const where = f.hart === undefined ? '' : ` on hart ${f.hart} at pc ${hex(f.pc)}`;
      const trap = f.scause === undefined ? '' : `; trap scause ${hex(f.scause)} stval ${hex(f.stval ?? null)} htval ${hex(f.htval ?? null)} htinst ${hex(f.htinst ?? null)}`;
      return `KVM_RUN failed: ${f.msg} (errno ${f.errno})${where}${trap}`;
    }
    case 'kvm-exit':
      return `unhandled KVM exit reason ${f.reason}`;
    case 'device':
      return `device ${f.device} refused an access: ${f.msg}`;
  }
}
