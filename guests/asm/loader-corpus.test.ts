// One loader truth: every image of the corpus (harness/guest/image-corpus.ts) goes to the VMM
// in L1 with the host check off, and the VMM must accept or refuse it exactly as the harness's
// check (the same C, through the native addon) does, with the same reason code. An accepted
// image runs: each carries code that reports a pass, so a wrong entry point cannot pass.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asmGuest, checkGuestImage, guest, memoryMap, VmmRejectedError, type StartEvent } from '../../harness/index.js';
import { imageCorpus } from '../../harness/guest/image-corpus.js';
import { describe, expect, test } from '../../harness/vitest/fixtures.js';
import { cases } from './cases.js';

const dir = mkdtempSync(join(tmpdir(), 'bootcase-corpus-'));
const corpus = imageCorpus(memoryMap().ramBase).map((c, i) => {
  const image = join(dir, `${String(i).padStart(2, '0')}.img`);
  writeFileSync(image, c.bytes);
  return { ...c, spec: guest({ image, memMiB: c.memMiB, timeoutMs: 5000, ...c.spec }) };
});

describe('the VMM and the harness give every image the same verdict', () => {
  test.for(corpus)('$name: $want', async (c, { boot }) => {
    const host = checkGuestImage(c.spec, c.bytes);
    expect(host.ok ? 'ok' : host.reason).toBe(c.want);
    const vm = await boot(c.spec, { hostCheck: false });
    const run = await vm.result().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    if (c.want !== 'ok') {
      expect(run).toBeInstanceOf(VmmRejectedError);
      const msg = (run as Error).message;
      // "--kernel PATH: <the loader's message> (<reason>)", the message the host check gave too
      expect(msg).toContain(`--kernel `);
      expect(msg).toContain(`: ${host.ok ? '' : host.message} (${c.want})`);
      return;
    }
    if (run instanceof Error) throw run;
    expect(run).toHaveExited('report', { code: 0 });
    const start = run.events.find((e): e is StartEvent => e.ev === 'start' && 'format' in e);
    expect(start?.format).toBe(c.format);
  });

  test('a real flat binary (hello-dbcn.bin), declared, boots and passes', async ({ boot }) => {
    const image = asmGuest('hello-dbcn').image.replace(/\.elf$/, '.bin');
    await using vm = await boot(guest({ image, format: 'flat' }));
    const run = await vm.result();
    expect(run).toEndAs(cases.find((c) => c.name === 'hello-dbcn')!);
  });
});
