// The specs of the commands whose modules are heavy to load (they import the whole harness),
// so that `bootcase --help` and a usage error do not wait for them. `run` has its own
// (run-plan.ts, light too).
import type { CommandSpec } from './args.js';

export const DEMO = {
  name: 'demo',
  summary: 'Build what is missing, boot every asm milestone, device guest, Linux and the SBI suite on one stage, and print a results table.',
  options: {},
} as const satisfies CommandSpec;

export const LIST = {
  name: 'list',
  summary: 'List the milestone guests (bootcase run NAME), what each checks and how it must end.',
  options: {},
} as const satisfies CommandSpec;

export const SBI_CHECK = {
  name: 'sbi-check',
  summary: 'Run the SBI compliance guest and print a compliance table for this KVM + VMM stack.',
  options: {
    cpus: { type: 'int', metavar: 'N', min: 1, max: 8, help: 'harts (default 2)' },
    serve: { type: 'list', metavar: 'EXTS', choices: ['time', 'ipi', 'hsm'], help: "check the VMM's own extensions instead of KVM's" },
  },
} as const satisfies CommandSpec;

export const DOCTOR = {
  name: 'doctor',
  summary: 'List what booting needs (QEMU, the riscv64 cross gcc, linux-source, the kernels, a container engine): present or missing, with the command that fixes each.',
  options: {},
  details: 'Exit status: 0 when everything a boot needs is there (a container engine is optional), 1 when something is missing.',
} as const satisfies CommandSpec;

export const BUILD = {
  name: 'build',
  summary: 'Build what is missing (the VMM, the milestone guests, the kernels) into the cache now; a first boot does it too.',
  options: {},
} as const satisfies CommandSpec;
