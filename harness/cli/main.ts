// bootcase CLI: `bootcase <command> [options]`; every command parses with ./args.ts and has --help.
//   run IMAGE [options]   boot one guest (a host image or a milestone name), console live (run.ts)
//   list                  the milestone guests and what each checks (list.ts)
//   demo                  build what is missing, boot every asm milestone on one stage, print a table
//   sbi-check             SBI compliance table for this KVM + VMM stack (sbi-check.ts)
//   doctor                what booting needs, present or missing, with the fix (doctor.ts)
//   build                 build the VMM, the guests and the kernels now (build.ts)
//   kvm-unit-tests DIR    a user-built kvm-unit-tests, test by test (kvm-unit-tests.ts)
// Exit status: 0 pass, 1 a guest failed, 2 usage or setup error. A command's module is loaded
// only when it runs: the harness takes seconds to load under tsx, a usage error should not.
import { exitStatus } from './exit-status.js';
import { BUILD, DEMO, DOCTOR, KVM_UNIT_TESTS, LIST, SBI_CHECK } from './specs.js';
import { RUN } from './run-plan.js';

type Command = (argv: string[]) => Promise<number>;
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: RUN.summary, load: async () => (await import('./run.js')).runCommand },
  list: { summary: LIST.summary, load: async () => (await import('./list.js')).listCommand },
  demo: { summary: DEMO.summary, load: async () => (await import('./demo.js')).demo },
  'sbi-check': { summary: SBI_CHECK.summary, load: async () => (await import('./sbi-check.js')).sbiCheck },
  doctor: { summary: DOCTOR.summary, load: async () => (await import('./doctor.js')).doctorCommand },
  build: { summary: BUILD.summary, load: async () => (await import('./build.js')).buildCommand },
  'kvm-unit-tests': { summary: KVM_UNIT_TESTS.summary, load: async () => (await import('./kvm-unit-tests.js')).kvmUnitTests },
};
const usage = ['usage: bootcase <command> [options]   (bootcase <command> --help)', '', ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`)].join('\n');

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === undefined) {
  console.error(usage);
  process.exit(2);
}
if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
  console.log(usage);
  process.exit(0);
}
const entry = commands[cmd];
if (!entry) {
  console.error(`bootcase: unknown command ${cmd} (${Object.keys(commands).join(', ')}; bootcase --help)`);
  process.exit(2);
}
entry
  .load()
  .then((run) => run(rest))
  .then(
    (code) => process.exit(code),
    (e: unknown) => {
      const { code, message } = exitStatus(e);
      console.error(message);
      process.exit(code);
    },
  );
