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
    serve: { type: 'list', metavar: 'EXTS', choices: ['time', 'ipi', 'hsm', 'susp', 'fwft'], help: "check the VMM's own extensions instead of KVM's" },
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

export const KVM_UNIT_TESTS = {
  name: 'kvm-unit-tests',
  summary: "Run a user-built kvm-unit-tests (riscv64) as its riscv/unittests.cfg lists it, on one stage, and judge each test by its EXIT status and checks.",
  positionals: ['BUILD-DIR'],
  options: {
    tests: { type: 'string', metavar: 'A,B', help: 'only these tests, by their [name] in unittests.cfg (a nodefault test runs only when named)' },
    cpus: { type: 'int', metavar: 'N', min: 1, max: 8, help: 'vCPUs for smp = $MAX_SMP (default 2)' },
    mem: { type: 'int', metavar: 'MiB', min: 1, max: 65536, help: 'guest RAM for every test (default 128; above 4096 puts RAM past 4 GiB)' },
    'sbi-serve': { type: 'list', metavar: 'EXTS', choices: ['time', 'ipi', 'hsm', 'susp', 'fwft'], help: 'SBI extensions the VMM serves (hsm,ipi: non-retentive suspend, which KVM 6.12 refuses; susp (needs hsm,ipi) and fwft, which KVM 6.12 lacks)' },
    env: { type: 'string', metavar: 'FILE', help: 'KEY=VALUE lines added to every test\'s environment (as KVM_UNIT_TESTS_ENV), e.g. SBI_IMPL_ID=3' },
    verbose: { type: 'boolean', help: "stream each test's console" },
  },
  details: [
    'Each test boots with its test_args (and extra_params -append) as the kernel command line, an',
    'environment initrd (KEY=VALUE lines) and its smp. Its PASS/FAIL/SKIP/XFAIL/XPASS/KFAIL lines are',
    'its checks; EXIT: STATUS=1 is a pass and 77 a skip. Known deviations of this stack',
    '(guests/kvm-unit-tests/deviations.ts) are expected failures pinned to the exact check. Each',
    "test's console goes to test-results/kvm-unit-tests/<test>.log. The last line is",
    '"kvm-unit-tests: N passed, N failed, N skipped"; the exit status is 1 on any unexpected failure.',
  ].join('\n'),
} as const satisfies CommandSpec;
