import { describe, expect, test } from 'vitest';
import { helpText, parse, UsageError, type CommandSpec } from './args.js';

const CMD = {
  name: 'try',
  summary: 'a command for the tests',
  positionals: ['IMAGE', 'MORE?'],
  options: {
    name: { type: 'string', metavar: 'STR', help: 'a string' },
    mode: { type: 'string', metavar: 'M', choices: ['a', 'b'], help: 'a choice' },
    disk: { type: 'string', metavar: 'FILE', multiple: true, help: 'repeatable' },
    n: { type: 'int', metavar: 'N', min: 1, max: 8, help: 'a number' },
    ext: { type: 'list', metavar: 'LIST', choices: ['x', 'y', 'z'], help: 'a list' },
    verbose: { type: 'boolean', help: 'a flag' },
  },
  passthrough: 'handed on',
} as const satisfies CommandSpec;

const ok = (argv: string[]) => {
  const p = parse(CMD, argv);
  if (p.help) throw new Error('unexpected help');
  return p;
};
const bad = (argv: string[]) => {
  try {
    parse(CMD, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n'); // one line
    return msg;
  }
  throw new Error(`parse(${argv.join(' ')}) did not fail`);
};

describe('the CLI argument parser', () => {
  test('each option type, in both spellings, with positionals and -- passthrough', () => {
    const p = ok(['img', '--name', 'x y', '--mode=b', '--disk', 'a', '--disk=b,ro', '--n', '8', '--ext', 'x,z', '--verbose', 'more', '--', '--raw', 'arg']);
    expect(p.values).toEqual({ name: 'x y', mode: 'b', disk: ['a', 'b,ro'], n: 8, ext: ['x', 'z'], verbose: true });
    expect(p.positionals).toEqual(['img', 'more']);
    expect(p.rest).toEqual(['--raw', 'arg']);
    expect(ok(['img']).values).toEqual({});
  });

  test('a value may start with a single dash, and = allows anything', () => {
    expect(ok(['img', '--name', '-x']).values.name).toBe('-x');
    expect(ok(['img', '--name=--x']).values.name).toBe('--x');
  });

  test('--help and -h win over everything before --, even bad input', () => {
    expect(parse(CMD, ['--help'])).toEqual({ help: true });
    expect(parse(CMD, ['--bogus', '-h', '--n', 'abc'])).toEqual({ help: true });
    expect(ok(['img', '--', '--help']).rest).toEqual(['--help']);
  });

  test('unknown options are named on one line, all of them', () => {
    expect(bad(['img', '--foo'])).toBe('bootcase try: unknown option --foo (see bootcase try --help)');
    expect(bad(['img', '--foo=1', '-x'])).toBe('bootcase try: unknown options --foo, -x (see bootcase try --help)');
  });

  test.for([['abc'], ['1.5'], ['-1'], ['0x4'], [''], ['1e3']])('a number that is not a whole decimal: %s', ([v]) => {
    expect(bad(['img', `--n=${v}`])).toMatch(/^bootcase try: --n wants a whole number N \(1\.\.8\), got ".*"$/);
  });

  test('numbers out of range', () => {
    expect(bad(['img', '--n', '0'])).toBe('bootcase try: --n 0 is out of range (1..8)');
    expect(bad(['img', '--n', '9'])).toBe('bootcase try: --n 9 is out of range (1..8)');
  });

  test('a missing value, at the end or before the next option', () => {
    expect(bad(['img', '--name'])).toBe('bootcase try: --name needs a value (STR)');
    expect(bad(['img', '--n', '--verbose'])).toBe('bootcase try: --n needs a value (N)');
  });

  test('choices and lists name the bad value and the good ones', () => {
    expect(bad(['img', '--mode', 'c'])).toBe('bootcase try: --mode c is not one of a, b');
    expect(bad(['img', '--ext', 'x,w'])).toBe('bootcase try: --ext w is not one of x, y, z');
    expect(bad(['img', '--ext', 'x,'])).toBe('bootcase try: --ext "" is not one of x, y, z');
  });

  test('positionals: missing, too many; options: twice, a flag with a value', () => {
    expect(bad([])).toBe('bootcase try: missing IMAGE (see bootcase try --help)');
    expect(bad(['a', 'b', 'c'])).toBe('bootcase try: unexpected argument c');
    expect(bad(['img', '--n', '1', '--n', '2'])).toBe('bootcase try: --n is given more than once');
    expect(bad(['img', '--verbose=yes'])).toBe('bootcase try: --verbose takes no value');
  });

  test('a command without passthrough refuses --', () => {
    const plain = { name: 'plain', summary: 's', options: {} } as const satisfies CommandSpec;
    expect(() => parse(plain, ['--', 'x'])).toThrow('bootcase plain: takes no arguments after --');
    expect(() => parse(plain, ['x'])).toThrow('bootcase plain: unexpected argument x');
  });

  test('a script names itself (prog), and a last FILES... positional takes the rest', () => {
    const soak = { name: 'soak', prog: 'npm run soak --', summary: 's', positionals: ['N', 'FILES...'], options: { hog: { type: 'boolean', help: 'h' } } } as const satisfies CommandSpec;
    const p = parse(soak, ['3', 'a.test.ts', '--hog', 'b.test.ts']);
    expect(p).toEqual({ help: false, values: { hog: true }, positionals: ['3', 'a.test.ts', 'b.test.ts'], rest: [] });
    expect(() => parse(soak, [])).toThrow('npm run soak --: missing N (see npm run soak -- --help)');
    expect(helpText(soak).split('\n')[0]).toBe('usage: npm run soak -- N [FILES...] [options]');
  });

  test('help lists every option with its value, choices, range and repeatability', () => {
    const h = helpText(CMD);
    expect(h.split('\n')[0]).toBe('usage: bootcase try IMAGE [MORE] [options] [-- ...]');
    for (const s of ['--name STR', '--mode M', 'a choice (a, b)', '(repeatable)', '--n N', '(1..8)', 'comma-separated: x, y, z', '--verbose ', '-h, --help', '-- ...']) {
      expect(h).toContain(s);
    }
  });
});
