import { describe, expect, test } from 'vitest';
import { KEYS, targetLines } from './targets.js';

describe('bench targets (issue 13 §3)', () => {
  const good = { [KEYS.l2Ratio]: 3.4, [KEYS.l2Ours]: 280, [KEYS.helloOwnStageRestored]: 450, [KEYS.vmmExit]: 30, [KEYS.bareExit]: 27, [KEYS.twoSequential]: 1000, [KEYS.twoParallel]: 700 };

  test('every target met', () => {
    const lines = targetLines(good);
    expect(lines.slice(0, -1).every((l) => l.includes(': met ('))).toBe(true);
    expect(lines.at(-1)).toMatch(/^the host meanwhile, .*: - at the start/);
  });

  test('each one fails on its own bound, and a missing figure is "not measured", never met', () => {
    const lines = targetLines({ ...good, [KEYS.l2Ratio]: 2.9, [KEYS.vmmExit]: 33, [KEYS.helloOwnStageRestored]: NaN });
    expect(lines[0]).toMatch(/>= 3x .*NOT met \(2\.90x\)/);
    expect(lines[2]).toMatch(/not measured$/);
    expect(lines[3]).toMatch(/NOT met \(1\.22x\)/);
    expect(targetLines({}).slice(0, -1).every((l) => l.endsWith('not measured'))).toBe(true);
  });

  test('the last line says how fast the host was (gauge.ts)', () => {
    const line = targetLines({ ...good, [KEYS.gaugeStart]: 120.4, [KEYS.gaugeL2]: 98, [KEYS.gaugeEnd]: NaN }).at(-1);
    expect(line).toBe('the host meanwhile, its speed gauge (gauge.ts, lower is faster): 120 ms at the start, 98 ms during the L2 pairs (median), - at the end');
  });
});
