import { describe, expect, test } from 'vitest';
import { KEYS, targetLines } from './targets.js';

describe('bench targets (issue 13 §3)', () => {
  const good = { [KEYS.l2Ratio]: 3.4, [KEYS.l2Ours]: 280, [KEYS.helloOwnStageRestored]: 450, [KEYS.vmmExit]: 30, [KEYS.bareExit]: 27, [KEYS.twoSequential]: 1000, [KEYS.twoParallel]: 700 };

  test('every target met', () => {
    expect(targetLines(good).every((l) => l.includes(': met ('))).toBe(true);
  });

  test('each one fails on its own bound, and a missing figure is "not measured", never met', () => {
    const lines = targetLines({ ...good, [KEYS.l2Ratio]: 2.9, [KEYS.vmmExit]: 33, [KEYS.helloOwnStageRestored]: NaN });
    expect(lines[0]).toMatch(/>= 3x .*NOT met \(2\.90x\)/);
    expect(lines[2]).toMatch(/not measured$/);
    expect(lines[3]).toMatch(/NOT met \(1\.22x\)/);
    expect(targetLines({}).every((l) => l.endsWith('not measured'))).toBe(true);
  });
});
