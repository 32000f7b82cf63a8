import { describe, expect, test } from 'vitest';
import { parseKut, statusVerdict } from '../protocol/kut.js';
import { evalSmp, parseUnittestsCfg, shellWords } from './unittests-cfg.js';
import { judgeKut } from './verdict.js';
import { kutEnv, parseEnvFile } from './suite.js';

const cfg = `
# riscv tests
[selftest]
file = selftest.flat
smp = $MAX_SMP
test_args = 'foo bar baz'
groups = selftest

[capped]
file = a.flat
smp = $((($MAX_SMP < 2)?$MAX_SMP:2))
extra_params = -append 'x "y z"' -m 4g
timeout = 2m

[qemu]
file = b.flat
qemu_params = -cpu max,+vmx -machine virt

[other]
file = c.flat
arch = riscv32

[tcg]
file = d.flat
accel = tcg
`;

describe('unittests.cfg', () => {
  test('file, smp with $MAX_SMP, test_args, extra_params, groups, timeout', () => {
    const t = parseUnittestsCfg(cfg, { path: 'u.cfg', maxSmp: 4 });
    expect(t.map((x) => x.name)).toEqual(['selftest', 'capped', 'qemu', 'other', 'tcg']);
    expect(t[0]).toEqual({ name: 'selftest', file: 'selftest.flat', smp: 4, bootargs: 'foo bar baz', groups: ['selftest'], timeoutMs: 90_000 });
    expect(t[1]).toMatchObject({ smp: 2, bootargs: 'x "y z"', memMiB: 4096, timeoutMs: 120_000 });
    expect(t[1]!.skip).toBeUndefined();
    expect(t[2]!.skip).toBe('extra_params -cpu max,+vmx -machine virt: QEMU options with no equivalent on this stack');
    expect(t[3]!.skip).toBe('riscv32 only');
    expect(t[4]!.skip).toMatch(/^tcg only/);
    expect(parseUnittestsCfg(cfg, { path: 'u.cfg', maxSmp: 1 })[1]!.smp).toBe(1);
  });

  test('bad values name the file, line and test', () => {
    expect(() => parseUnittestsCfg('[a]\nfile = x\nsmp = $(rm -rf /)\n', { path: 'u.cfg', maxSmp: 2 })).toThrow(/u\.cfg:1 \[a\]: smp = \$\(rm -rf \/\): not a number/);
    expect(() => parseUnittestsCfg('[a]\nsmp = 2\n', { path: 'u.cfg', maxSmp: 2 })).toThrow('u.cfg:1 [a]: no file =');
    expect(() => parseUnittestsCfg('[a]\nfile = x\ntimeout = soon\n', { path: 'u.cfg', maxSmp: 2 })).toThrow(/timeout = soon: not a duration/);
    expect(() => parseUnittestsCfg('[a]\nfile = x\n[a]\nfile = y\n', { path: 'u.cfg', maxSmp: 2 })).toThrow(/a second test of that name/);
    expect(() => evalSmp('0', 2, 'w')).toThrow(/not a vCPU count/);
  });

  test('shell words', () => {
    expect(shellWords(`-append 'a "b" c' "d e" f\\ g`)).toEqual(['-append', 'a "b" c', 'd e', 'f g']);
    expect(() => shellWords(`'open`)).toThrow(/unterminated/);
  });
});

const run = (lines: string, status?: number) => `\nPASS: t: one\n${lines}\nSUMMARY: n tests\n${status !== undefined ? `\nEXIT: STATUS=${status}\n` : ''}`;
const shutdown = { exit: 'shutdown', describe: 'shutdown' };

describe('the suite\'s console and its verdict', () => {
  test('each kind of line becomes a check; the first EXIT counts', () => {
    const r = parseKut('INFO: x\nPASS: a: b\nFAIL: a: c\nSKIP: a: d\nXFAIL: a: e\nXPASS: a: f\nKFAIL: a: g\r\nEXIT: STATUS=3\nEXIT: STATUS=1\n');
    expect(r.status).toBe(3);
    expect(r.points.map((p) => [p.name, p.ok, p.skip, p.diag?.result, Boolean(p.todo)])).toEqual([
      ['a: b', true, undefined, undefined, false],
      ['a: c', false, undefined, 'FAIL', false],
      ['a: d', true, 'a: d', undefined, false],
      ['a: e', true, undefined, undefined, true],
      ['a: f', false, undefined, 'XPASS', false],
      ['a: g', true, undefined, undefined, true],
    ]);
    expect([1, 77, 3, undefined].map(statusVerdict)).toEqual(['pass', 'skip', 'fail', 'fail']);
  });

  test('STATUS decides, with an SRST shutdown; a deviation excuses only its exact check', () => {
    expect(judgeKut(run('', 1), shutdown, {}).verdict).toBe('pass');
    expect(judgeKut(run('SKIP: t: x', 77), shutdown, {}).verdict).toBe('skip');
    expect(judgeKut(run('', 1), { exit: 'fault', describe: 'fault: unmapped MMIO' }, {}).why).toMatch(/^the run ended fault: unmapped MMIO/);
    expect(judgeKut(run(''), shutdown, {}).why).toMatch(/no EXIT: STATUS= line/);
    expect(judgeKut(run('', 129), shutdown, {}).verdict).toBe('fail');
    const dev = { 't: bad': { reason: 'r', diag: { result: 'FAIL' } } };
    expect(judgeKut(run('FAIL: t: bad', 3), shutdown, dev)).toMatchObject({ verdict: 'pass', why: 'STATUS=3 (exit(1): failure), from 1 known deviation(s) only' });
    expect(judgeKut(run('FAIL: t: bad\nFAIL: t: other', 3), shutdown, dev).why).toMatch(/^1 check\(s\) failed: "t: other"/);
    expect(judgeKut(run('PASS: t: bad', 1), shutdown, dev).why).toMatch(/"t: bad" \(passed: its known deviation is stale\)/);
    // a deviation does not excuse a crash after it
    expect(judgeKut(run('FAIL: t: bad', 129), shutdown, dev).verdict).toBe('fail');
  });

  test('the environment file', () => {
    expect(kutEnv('6.12.117', { A: '1' })).toBe('KERNEL_VERSION_STRING=6.12.117\nKERNEL_VERSION=6\nKERNEL_PATCHLEVEL=12\nKERNEL_SUBLEVEL=117\nA=1\n');
    expect(parseEnvFile('# c\n\nX=y=z\n', 'e')).toEqual({ X: 'y=z' });
    expect(() => parseEnvFile('nope\n', 'e.env')).toThrow('e.env:1: not a KEY=VALUE line: nope');
  });
});
