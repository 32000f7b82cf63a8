import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { GuestImageError } from '../errors.js';
import { addon, memoryMap } from '../native/addon.js';
import { checkGuestImage, guest, loadImage, traceArgs } from './guest.js';
import { imageCorpus } from './image-corpus.js';

const corpus = imageCorpus(memoryMap().ramBase);

describe('the image check is the VMM loader (native addon)', () => {
  test.each(corpus.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const v = checkGuestImage(guest({ image: 'g', memMiB: c.memMiB, ...c.spec }), c.bytes);
    expect(v.ok ? 'ok' : v.reason, v.ok ? '' : v.message).toBe(c.want);
    if (v.ok) expect(v).toMatchObject({ format: c.format, entry: c.entry });
  });

  test('the corpus has a case for every refusal a file can get', () => {
    // 'empty' never reaches the loader: an empty file is refused when it is read, on both sides
    const covered = new Set(corpus.map((c) => c.want));
    expect(addon().loaderReasons.filter((r) => !covered.has(r))).toEqual(['empty']);
  });

  test('a refused image names the file, what is wrong and the reason code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootcase-image-'));
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, 'not a kernel\n');
    const err = (() => {
      try {
        loadImage(guest({ image: txt }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(GuestImageError);
    expect((err as Error).message).toBe(`${txt}: neither an ELF nor a RISC-V Linux Image, and not declared a flat binary (starts with 6e 6f 74 20) (unknown-format)`);
    expect(loadImage(guest({ image: txt, format: 'flat' })).verdict).toMatchObject({ ok: true, format: 'flat', entry: memoryMap().ramBase });
  });

  test('a declared flat binary becomes --flat-load (and --flat-entry) for the VMM', () => {
    const ram = memoryMap().ramBase;
    expect(traceArgs(guest({ image: 'u-boot.bin', format: 'flat' }))).toEqual(['--flat-load', `0x${ram.toString(16)}`]);
    expect(traceArgs(guest({ image: 'u-boot.bin', format: 'flat', loadAddr: ram + 0x20_0000n, entry: ram + 0x20_0004n }))).toEqual([
      '--flat-load',
      `0x${(ram + 0x20_0000n).toString(16)}`,
      '--flat-entry',
      `0x${(ram + 0x20_0004n).toString(16)}`,
    ]);
  });
});
