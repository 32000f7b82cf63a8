// SBI extension and function names for the call trace (docs/protocol.md, "sbi" events).
// The EIDs are the VMM's (vmm/include/sbi-ids.h), read through the native addon: only their
// names are spelled here, for types, and sbi.test.ts checks the two lists are the same.
import { addon } from '../native/addon.js';

/** The extensions by the names vmm/include/sbi-ids.h gives them (SBI_EIDS). */
export const SBI_EID_NAMES = [
  'LEGACY_SET_TIMER', 'LEGACY_PUTCHAR', 'LEGACY_GETCHAR', 'LEGACY_CLEAR_IPI', 'LEGACY_SEND_IPI', 'LEGACY_REMOTE_FENCE_I',
  'LEGACY_REMOTE_SFENCE_VMA', 'LEGACY_REMOTE_SFENCE_VMA_ASID', 'LEGACY_SHUTDOWN',
  'BASE', 'TIME', 'IPI', 'RFENCE', 'HSM', 'SRST', 'PMU', 'DBCN', 'SUSP', 'CPPC', 'NACL', 'STA', 'FWFT', 'MPXY', 'BOOTCASE',
] as const;
export type SbiEidName = (typeof SBI_EID_NAMES)[number];

/**
 * Extension IDs, for assertions: `run.sbiCalls.filter((c) => c.eid === SBI_EID.DBCN)`. Each is a
 * getter into the addon's table, so importing this module builds or loads nothing.
 */
export const SBI_EID: Readonly<Record<SbiEidName, bigint>> = Object.freeze(
  Object.defineProperties(
    {} as Record<SbiEidName, bigint>,
    Object.fromEntries(
      SBI_EID_NAMES.map((name) => [
        name,
        {
          enumerable: true,
          get: () => {
            const eid = addon().sbiEids[name];
            if (eid === undefined) throw new Error(`SBI_EID.${name}: vmm/include/sbi-ids.h has no such extension`);
            return eid;
          },
        },
      ]),
    ),
  ),
);

/** The names `--sbi-disable` takes (KVM's enum KVM_RISCV_SBI_EXT_ID, vmm/sbi/sbi-ext.c). */
export type SbiExtName = 'v01' | 'time' | 'ipi' | 'rfence' | 'srst' | 'hsm' | 'pmu' | 'experimental' | 'vendor' | 'dbcn' | 'sta' | 'susp' | 'fwft' | 'mpxy';

/** The extensions `--sbi-serve` takes: what the VMM can do from user space (vmm/sbi/sbi-serve.c). */
export type SbiServeName = 'time' | 'ipi' | 'hsm' | 'susp' | 'fwft';

const FUNCTIONS: Partial<Record<SbiEidName, readonly string[]>> = {
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
  const ext = SBI_EID_NAMES.find((k) => SBI_EID[k] === eid);
  if (!ext) return {};
  const fn = fid <= 0xffn ? FUNCTIONS[ext]?.[Number(fid)] : undefined;
  return fn ? { ext, fn } : { ext };
}
