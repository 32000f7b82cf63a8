// The asm milestone cases as data: which guest, how it must end, what it must print.
// milestones.test.ts runs one test per row; `bootcase demo` prints the same table. Both check a
// run against its row with the one check, runMismatches (harness/run/expectation.ts).
import type { RunExpectation } from '../../harness/index.js';

/** How the case must end: exit, code, reason, fault, print, sbiUsed (RunExpectation). */
export interface AsmCase extends RunExpectation {
  name: string;
  /** What the milestone demonstrates, for the demo table. */
  milestone: string;
}

export const cases: AsmCase[] = [
  { name: 'hello-legacy', milestone: 'hello via legacy SBI putchar', exit: 'shutdown', print: /^Hello from guest via legacy putchar$/m, sbiUsed: ['legacy_putchar'] },
  { name: 'hello-dbcn', milestone: 'hello via SBI DBCN', exit: 'shutdown', print: /^Hello from guest via DBCN$/m, sbiUsed: ['dbcn'] },
  { name: 'uart-hello', milestone: 'hello via 16550 UART MMIO', exit: 'shutdown', print: /^Hello from guest via the 16550 UART$/m },
  { name: 'shutdown', milestone: 'SRST shutdown (reason: system failure)', exit: 'shutdown', reason: 1 },
  { name: 'reboot', milestone: 'SRST cold reboot', exit: 'reboot', print: /rebooting/ },
  { name: 'report-pass', milestone: 'report hypercall, pass', exit: 'report', code: 0, sbiUsed: ['bootcase'] },
  { name: 'report-fail', milestone: 'report hypercall, fail code 7', exit: 'report', code: 7 },
  { name: 'timer-poll', milestone: 'set_timer interrupt reaches a hart busy-polling time (no WFI)', exit: 'report', code: 0, print: /every interrupt came/ },
  {
    name: 'mmio-unmapped',
    milestone: 'store to unmapped MMIO faults with its address',
    exit: 'fault',
    print: /storing to 0x20000000/,
    fault: { kind: 'mmio-unmapped', addr: 0x2000_0000n, len: 4, write: true },
  },
  {
    name: 'fetch-unmapped',
    milestone: 'fetch from unmapped memory: KVM_RUN fails; hart, pc and trap named',
    exit: 'fault',
    print: /jumping to 0x20000000/,
    fault: { kind: 'kvm-run', hart: 0, pc: 0x2000_0000n, scause: 0x14n, stval: 0x2000_0000n, htval: 0x800_0000n },
  },
  {
    name: 'sbi-illegal',
    milestone: 'unknown SBI EID: KVM says NOT_SUPPORTED, VMM faults on a forwarded one',
    exit: 'fault',
    print: /KVM answered EID 0x0a000000 with NOT_SUPPORTED/,
    fault: { kind: 'sbi-unknown', eid: 0x0900_0042n, fid: 3n },
  },
];
