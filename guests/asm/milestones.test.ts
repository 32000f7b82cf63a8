// The asm milestones: each boots a real guest on real KVM inside QEMU and checks how it ended.
import { writeFileSync, mkdtempSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asmGuest, boot, config, guest, GuestImageError, GuestTimeoutError, memoryMap, VmmRejectedError } from '../../harness/index.js';
import { vi } from 'vitest';
import { describe, expect, test } from '../../harness/vitest/fixtures.js';
import { cases } from './cases.js';

describe('asm milestones', () => {
  test.for(cases)('$name: $milestone', async (c, { boot }) => {
    await using vm = await boot(c.name);
    const run = await vm.result();
    // exit, code, reason, fault, print and SBI use, as `bootcase demo` checks them
    expect(run).toEndAs(c);
  });

  test('a guest that hangs fails at its deadline with the transcript tail and artifacts', async ({ boot, stage, task }) => {
    await using vm = await boot('hang', { timeoutMs: 4000 });
    await vm.waitForLine(/spinning forever/);
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuestTimeoutError);
    const msg = (err as Error).message;
    expect((err as GuestTimeoutError).timeoutMs).toBe(4000 * config.timeoutScale);
    expect(msg).toContain(`timed out after ${4000 * config.timeoutScale} ms waiting for the guest to end`);
    expect(msg).toContain('spinning forever');
    // the agent's SIGTERM made the VMM end the run and say where the hart was: in the spin loop
    const pc = msg.match(/harts when stopped: hart 0 at pc (0x[0-9a-f]+)\n/)?.[1];
    expect(pc, msg).toBeDefined();
    expect(BigInt(pc!)).toBeGreaterThanOrEqual(memoryMap().ramBase);
    expect(BigInt(pc!)).toBeLessThan(0x8000_1000n);
    const files = [...msg.matchAll(/(\/\S+\/(?:console\.log|events\.jsonl))/g)].map((m) => m[1]!);
    expect(files).toHaveLength(2);
    expect(readFileSync(files[0]!, 'utf8')).toContain('spinning forever');
    expect(readFileSync(files[1]!, 'utf8')).toContain('"ev":"start"');
    expect(readFileSync(files[1]!, 'utf8')).toMatch(/"ev":"end".*"exit":"timeout".*"by":"sigterm"/);
    // the same evidence is in the vitest report, as an annotation of this test
    await vi.waitFor(() => expect(task.annotations.map((a) => a.type)).toContain('bootcase-evidence'));
    const note = task.annotations.find((a) => a.type === 'bootcase-evidence')!;
    expect(note.message).toContain(files[0]!);
    expect(note.message).toMatch(/harts when stopped: hart 0 at pc 0x/);
    // The agent killed only that VMM: the stage still runs the next guest.
    expect(stage.alive).toBe(true);
    const next = await (await boot('report-pass')).result();
    expect(next).toHaveExited('report', { code: 0 });
  });

  test('events and console travel apart: the console holds only guest bytes', async ({ boot }) => {
    await using vm = await boot('hello-dbcn');
    const run = await vm.result();
    expect(run.console).toBe('Hello from guest via DBCN\n');
    expect(run.events.map((e) => e.ev)).toEqual(expect.arrayContaining(['start', 'phase', 'end', 'run-exit']));
    expect(run.exits.system_event).toBe(1);
    expect(run.guestMs).toBeGreaterThan(0);
  });
});

describe('bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootcase-bad-'));

  test('a missing image is named in the error, before anything boots', async () => {
    const missing = join(dir, 'nope.elf');
    await expect(boot(guest({ image: missing }))).rejects.toThrow(new GuestImageError(missing, 'cannot read guest image (ENOENT)'));
  });

  test('an ELF for another machine is rejected before boot', async () => {
    const err = await boot(guest({ image: '/bin/true' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuestImageError);
    expect((err as Error).message).toBe('/bin/true: ELF machine 62, want RISC-V (243) (elf-machine)');
  });

  test('a truncated ELF is rejected before boot', async () => {
    const good = readFileSync(asmGuest('hello-dbcn').image);
    const bad = join(dir, 'truncated.elf');
    writeFileSync(bad, good.subarray(0, 40));
    await expect(boot(guest({ image: bad }))).rejects.toThrow(/truncated.elf: truncated ELF: 40 bytes, an ELF64 header alone is 64 \(elf-truncated\)/);
  });

  test('an ELF that loads outside guest RAM is rejected before boot', async () => {
    const img = Buffer.from(readFileSync(asmGuest('hello-dbcn').image));
    const phoff = Number(img.readBigUInt64LE(32));
    img.writeBigUInt64LE(0x1000n, phoff + 24); // p_paddr of the first segment
    const bad = join(dir, 'low.elf');
    writeFileSync(bad, img);
    await expect(boot(guest({ image: bad }))).rejects.toThrow(/low.elf: segment 0: \[0x1000, .*\) is outside RAM .*\(outside-ram\)/);
  });

  test('the VMM validates too: a bad ELF that skips the host check is refused by the VMM', async ({ boot }) => {
    const img = Buffer.from(readFileSync(asmGuest('hello-dbcn').image));
    img.writeUInt16LE(62, 18); // e_machine = x86-64
    const bad = join(dir, 'x86.elf');
    writeFileSync(bad, img);
    const vm = await boot(guest({ image: bad }), { hostCheck: false });
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmmRejectedError);
    expect((err as Error).message).toMatch(/x86.*machine/i);
  });

  test('a guest needing more RAM than given is rejected before boot', async () => {
    const src = asmGuest('hello-dbcn').image;
    const copy = join(dir, 'hello.elf');
    copyFileSync(src, copy);
    await expect(boot(guest({ image: copy, memMiB: 0 }))).rejects.toThrow(/outside RAM .*\(outside-ram\)/);
  });
});
