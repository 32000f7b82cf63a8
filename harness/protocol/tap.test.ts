import { describe, expect, test } from 'vitest';
import { deviationOutcome, isKnownDeviation, parseTap, tallyTap, tapVerdict, type TapDeviation, type TapDeviations, type TapPoint } from './tap.js';

describe('parseTap', () => {
  test('points, diagnostics, skips and the plan, amid kernel log lines', () => {
    const r = parseTap(`[    0.1] virtio_blk virtio0: [vda] 2048 512-byte logical blocks
BOOTCASE-READY uptime_ms=512
TAP version 14
ok 1 - CPU count matches --cpus
not ok 2 - disk mounts
  ---
  message: "mount /dev/vda: No such device"
  ...
ok 3 - HSM suspend # SKIP extension absent
1..3
`);
    expect(r.planned).toBe(3);
    expect(r.points).toEqual([
      { id: 1, ok: true, name: 'CPU count matches --cpus' },
      { id: 2, ok: false, name: 'disk mounts', diag: { message: 'mount /dev/vda: No such device' } },
      { id: 3, ok: true, name: 'HSM suspend', skip: 'extension absent' },
    ]);
  });

  test('no TAP at all gives no points', () => {
    expect(parseTap('Kernel panic - not syncing: VFS\n').points).toEqual([]);
  });
});

describe('known deviations are pinned to what the guest reports', () => {
  // What guests/asm/lib/tap.c prints: the YAML diagnostic names got and want.
  const tap = parseTap(`TAP version 14
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
ok 4 - PMU: performance monitoring # SKIP extension absent
not ok 5 - SRST: a reserved reset_type is INVALID_PARAM
1..5
`);
  const [srst, timer, hsm, pmu, bare] = tap.points as [TapPoint, TapPoint, TapPoint, TapPoint, TapPoint];
  const d = (diag: Record<string, unknown>): TapDeviation => ({ reason: 'r', diag });

  test('only the pinned result is excused; a pass, a skip and any other failure are not', () => {
    expect(deviationOutcome(srst, d({ got: -2 }))).toBe('reproduced');
    expect(deviationOutcome(srst, d({ got: -2, want: -3 }))).toBe('reproduced');
    expect(deviationOutcome(srst, d({ got: -1 }))).toBe('other');
    expect(deviationOutcome(srst, d({ got: '-2' }))).toBe('other');
    // "pending, not taken" pinned to "not pending" (0) does not excuse a masked timer that was taken
    expect(deviationOutcome(timer, d({ got: 0, want: 1 }))).toBe('other');
    expect(deviationOutcome(hsm, d({ got: 1 }))).toBe('passed');
    expect(deviationOutcome(pmu, d({ got: 1 }))).toBe('skipped');
  });

  test('a failure without diagnostics, or a deviation pinning nothing, excuses nothing', () => {
    expect(deviationOutcome(bare, d({ got: -2 }))).toBe('other');
    expect(deviationOutcome(srst, d({}))).toBe('other');
  });

  test('isKnownDeviation looks the point up by its exact name', () => {
    const known: TapDeviations = { 'SRST: a reserved reset_type is INVALID_PARAM': d({ got: -2 }) };
    expect(isKnownDeviation(srst, known)).toBe(true);
    expect(isKnownDeviation(bare, known)).toBe(false);
    expect(isKnownDeviation({ ...srst, name: 'SRST: a reserved reset_type' }, known)).toBe(false);
    expect(isKnownDeviation({ ...srst, name: 'toString' }, {})).toBe(false);
  });

  test('one verdict per point and one rule per run, for the bridge, sbi-check and demo', () => {
    const known: TapDeviations = { [srst.name]: d({ got: -2 }), [hsm.name]: d({ got: 1 }), [pmu.name]: d({ got: 1 }) };
    expect([srst, timer, hsm, pmu, bare].map((p) => tapVerdict(p, known))).toEqual(['deviation', 'fail', 'stale', 'skip', 'fail']);
    expect(tapVerdict(timer, {})).toBe('fail');
    expect(tapVerdict(hsm, {})).toBe('pass');
    const ok = parseTap('TAP version 14\nok 1 - a\nnot ok 2 - b\n  ---\n  got: 1\n  ...\nok 3 - c # SKIP no\n1..3\n');
    const excuse = { b: d({ got: 1 }) };
    expect(tallyTap(ok, excuse, 'shutdown')).toEqual({ pass: 1, skip: 1, deviation: 1, stale: 0, fail: 0, complete: true, passed: true });
    expect(tallyTap(ok, excuse, 'reboot').passed).toBe(false);
    expect(tallyTap(ok, {}, 'shutdown')).toMatchObject({ fail: 1, passed: false });
    expect(tallyTap({ ...ok, planned: 4 }, excuse, 'shutdown')).toMatchObject({ complete: false, passed: false });
    expect(tallyTap(tap, known, 'shutdown')).toMatchObject({ stale: 1, fail: 2, passed: false });
  });
});
