// SBI extension and function names for the call trace (docs/protocol.md, "sbi" events).
// EIDs from the RISC-V SBI specification v2.0; BOOTCASE is ours (vmm/sbi/sbi.h).

/** Extension IDs, for assertions: `run.sbiCalls.filter((c) => c.eid === SBI_EID.DBCN)`. */
export const SBI_EID = {
  LEGACY_SET_TIMER: 0x00n,
  LEGACY_PUTCHAR: 0x01n,
  LEGACY_GETCHAR: 0x02n,
  LEGACY_CLEAR_IPI: 0x03n,
  LEGACY_SEND_IPI: 0x04n,
  LEGACY_REMOTE_FENCE_I: 0x05n,
  LEGACY_REMOTE_SFENCE_VMA: 0x06n,
  LEGACY_REMOTE_SFENCE_VMA_ASID: 0x07n,
  LEGACY_SHUTDOWN: 0x08n,
  BASE: 0x10n,
  TIME: 0x5449_4d45n,
  IPI: 0x73_5049n,
  RFENCE: 0x5246_4e43n,
  HSM: 0x48_534dn,
  SRST: 0x5352_5354n,
  PMU: 0x50_4d55n,
  DBCN: 0x4442_434en,
  SUSP: 0x5355_5350n,
  CPPC: 0x4350_5043n,
  NACL: 0x4e_41434cn,
  STA: 0x53_5441n,
  FWFT: 0x4657_4654n,
  BOOTCASE: 0x0842_4354n,
} as const;

/** The names `--sbi-disable` takes (KVM's enum KVM_RISCV_SBI_EXT_ID, vmm/sbi/sbi-ext.c). */
export type SbiExtName = 'v01' | 'time' | 'ipi' | 'rfence' | 'srst' | 'hsm' | 'pmu' | 'experimental' | 'vendor' | 'dbcn' | 'sta' | 'susp' | 'fwft' | 'mpxy';

/** The extensions `--sbi-serve` takes: what the VMM can do from user space (vmm/sbi/sbi-serve.c). */
export type SbiServeName = 'time' | 'ipi' | 'hsm';

const FUNCTIONS: Partial<Record<keyof typeof SBI_EID, readonly string[]>> = {
  BASE: ['get_spec_version', 'get_impl_id', 'get_impl_version', 'probe_extension', 'get_mvendorid', 'get_marchid', 'get_mimpid'],
  TIME: ['set_timer'],
  IPI: ['send_ipi'],
  HSM: ['hart_start', 'hart_stop', 'hart_get_status', 'hart_suspend'],
  SRST: ['system_reset'],
  DBCN: ['write', 'read', 'write_byte'],
  SUSP: ['system_suspend'],
  BOOTCASE: ['EXIT', 'MARK', 'NOP'],
};

/**
 * The extension (`DBCN`, `BOOTCASE`, `LEGACY_PUTCHAR`: the SBI_EID key) and function (`write`,
 * `MARK`) names of a call, when known. Legacy v0.1 calls have one function each, no FID.
 */
export function sbiCallName(eid: bigint, fid: bigint): { ext?: string; fn?: string } {
  const ext = (Object.keys(SBI_EID) as (keyof typeof SBI_EID)[]).find((k) => SBI_EID[k] === eid);
  if (!ext) return {};
  const fn = fid <= 0xffn ? FUNCTIONS[ext]?.[Number(fid)] : undefined;
  return fn ? { ext, fn } : { ext };
}
