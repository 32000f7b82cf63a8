import { describe, expect, test } from 'vitest';
import { EscapeFilter } from './console.js';

const feed = (f: EscapeFilter, s: string) => {
  const { out, quit } = f.feed(Buffer.from(s, 'latin1'));
  return { out: out.toString('latin1'), quit };
};

describe('the console escape key (Ctrl-a)', () => {
  test('plain bytes pass, Ctrl-C included (a raw console belongs to the guest)', () => {
    expect(feed(new EscapeFilter(), 'ls\r\x03')).toEqual({ out: 'ls\r\x03', quit: false });
  });
  test('Ctrl-a x (or X) quits; bytes before it still go', () => {
    expect(feed(new EscapeFilter(), 'ab\x01x')).toEqual({ out: 'ab', quit: true });
    expect(feed(new EscapeFilter(), '\x01X')).toEqual({ out: '', quit: true });
  });
  test('Ctrl-a Ctrl-a sends one Ctrl-a; Ctrl-a then another key sends both', () => {
    expect(feed(new EscapeFilter(), '\x01\x01a\x01b')).toEqual({ out: '\x01a\x01b', quit: false });
  });
  test('the escape may be split across reads', () => {
    const f = new EscapeFilter();
    expect(feed(f, 'a\x01')).toEqual({ out: 'a', quit: false });
    expect(feed(f, 'x')).toEqual({ out: '', quit: true });
  });
});
