import { describe, expect, test } from 'vitest';
import { ConsoleLog } from './console-log.js';

describe('ConsoleLog', () => {
  test('a UTF-8 character split across two chunks decodes as one character', () => {
    const log = new ConsoleLog();
    const bytes = Buffer.from('hart 0: é ✓\n', 'utf8');
    const cut = bytes.indexOf(0xa9); // the second byte of é
    log.push(bytes.subarray(0, cut));
    log.push(bytes.subarray(cut));
    expect(log.text).toBe('hart 0: é ✓\n');
    expect(log.bytes).toBe(bytes.length);
    expect(log.raw.equals(bytes)).toBe(true);
  });

  test('followers see every chunk until they unsubscribe', () => {
    const log = new ConsoleLog();
    const seen: string[] = [];
    const stop = log.follow((c) => seen.push(c.toString()));
    log.push(Buffer.from('a'));
    stop();
    log.push(Buffer.from('b'));
    expect(seen).toEqual(['a']);
    expect(log.text).toBe('ab');
  });
});
