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
