// What harness/vitest/tap-suite.test.ts runs: describeTap over a run that printed this TAP, with
// known deviations that hold, that do not, and that are stale, and a floor of required checks.
import type { EndEvent } from '../../protocol/events.js';
import { RunResult } from '../../run/result.js';
import { describeTap } from '../tap-suite.js';

const TAP = `TAP version 14
not ok 1 - SRST: a reserved reset_type is INVALID_PARAM
  ---
  got: -2
  want: -3
  ...
not ok 2 - TIME: a masked timer is pending, not taken
  ---
  got: 2
  want: 1
  ...
ok 3 - HSM: hart_get_status(self) is STARTED
not ok 4 - BASE: get_impl_id succeeds
  ---
  got: -1
  want: 0
  ...
ok 5 - PMU: performance monitoring # SKIP extension absent
ok 6 - DBCN: write returns the bytes written
1..6
`;
const END = { ev: 'end', run: 1, t_us: 1, exit: 'shutdown', reason: 0, exits: { total: 0, sbi: 0, mmio: 0, system_event: 1, intr: 0, other: 0 }, sbi: {} } as unknown as EndEvent;

describeTap('bridge', async () => new RunResult('sample', 1, END, TAP, [], [], () => []), {
  knownDeviations: {
    'SRST: a reserved reset_type is INVALID_PARAM': { reason: 'KVM answers -2', diag: { got: -2 } },
    // pinned to "not pending" (0): the guest reports "taken" (2)
    'TIME: a masked timer is pending, not taken': { reason: 'STIP reads 0', diag: { got: 0, want: 1 } },
    'HSM: hart_get_status(self) is STARTED': { reason: 'stale', diag: { got: 1 } },
  },
  required: ['DBCN', 'PMU', 'SUSP'],
});
