// The xv6 profile's checks before anything boots: the two variables, the files they name, the
// kernel's virtio transport, a kernel that is not an ELF, and the hint on xv6's disk panic.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'xv6-unit-'));
const file = (name: string, bytes: string | Buffer) => (writeFileSync(join(dir, name), bytes), join(dir, name));
/** A RISC-V ELF the VMM's loader takes: one PT_LOAD at RAM base holding `rodata` (xv6's strings). */
function elf(rodata: string): Buffer {
  const body = Buffer.from(rodata || '\0');
  const b = Buffer.alloc(0x1000 + body.length);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(243, 18); // EM_RISCV
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(0x8000_0000n, 24); // entry
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(64, 52);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(1, 56);
  b.writeUInt32LE(1, 64); // PT_LOAD
  b.writeUInt32LE(5, 68);
  b.writeBigUInt64LE(0x1000n, 72); // offset
  b.writeBigUInt64LE(0x8000_0000n, 80); // vaddr
  b.writeBigUInt64LE(0x8000_0000n, 88); // paddr
  b.writeBigUInt64LE(BigInt(body.length), 96); // filesz
  b.writeBigUInt64LE(BigInt(body.length), 104); // memsz
  body.copy(b, 0x1000);
  return b;
}

/** xv6.js as loaded with these variables (config reads the environment once, at import). */
async function withEnv(env: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v as string);
  vi.resetModules();
  return import('./xv6.js');
}

afterEach(() => {
  vi.unstubAllEnvs();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('xv6Paths: XV6_KERNEL and XV6_FS_IMG', () => {
  const kernel = file('kernel', elf(''));
  const fs = file('fs.img', Buffer.alloc(1024));

  test('neither set: undefined (the tests skip, saying how to set them)', async () => {
    const { xv6Paths } = await withEnv({ XV6_KERNEL: undefined, XV6_FS_IMG: undefined });
    expect(xv6Paths()).toBeUndefined();
  });

  test('both set: the two paths', async () => {
    const { xv6Paths } = await withEnv({ XV6_KERNEL: kernel, XV6_FS_IMG: fs });
    expect(xv6Paths()).toEqual({ kernel, fsImg: fs });
  });

  test('one without the other is an error naming both, not a silent skip', async () => {
    const a = await withEnv({ XV6_KERNEL: kernel, XV6_FS_IMG: undefined });
    expect(() => a.xv6Paths()).toThrow(/^XV6_KERNEL is set but XV6_FS_IMG is not: the xv6 tests need both/);
    const b = await withEnv({ XV6_KERNEL: undefined, XV6_FS_IMG: fs });
    expect(() => b.xv6Paths()).toThrow(/^XV6_FS_IMG is set but XV6_KERNEL is not/);
    expect(() => b.xv6Paths()).toThrow(expect.objectContaining({ code: 'XV6_SETUP' }));
  });

  test('a missing file is named with its variable', async () => {
    const { xv6Paths, xv6Disk } = await withEnv({ XV6_KERNEL: kernel, XV6_FS_IMG: join(dir, 'nope.img') });
    expect(() => xv6Paths()).toThrow(`XV6_FS_IMG=${join(dir, 'nope.img')}: no such file`);
    expect(() => xv6Disk(join(dir, 'nope.img'))).toThrow(`fs.img ${join(dir, 'nope.img')}: no such file`);
    const c = await withEnv({ XV6_KERNEL: dir, XV6_FS_IMG: fs });
    expect(() => c.xv6Paths()).toThrow(`XV6_KERNEL=${dir}: not a regular file`);
  });

  test('a kernel that is not an ELF (a text file) is refused before any boot', async () => {
    const text = file('kernel.txt', 'not a kernel\n');
    const { xv6Paths } = await withEnv({ XV6_KERNEL: text, XV6_FS_IMG: fs });
    expect(() => xv6Paths()).toThrow(`${text}: XV6_KERNEL is not an xv6 kernel: neither an ELF nor a RISC-V Linux Image`);
  });

  test('xv6Disk is a private copy made by the stage (no temporary folder of its own)', async () => {
    const { xv6Disk } = await withEnv({});
    expect(xv6Disk(fs, 'd1')).toEqual({ id: 'd1', path: fs, privateCopy: true });
  });
});

describe('xv6Kernel: the virtio transport from the kernel, and non-kernels refused', () => {
  test('the virtio 1.0 driver (from October 2021) gets version 2, the legacy one version 1', async () => {
    const { xv6Kernel } = await withEnv({});
    const v2 = file('v2', elf('could not find virtio disk\0virtio disk FEATURES_OK unset\0virtio disk should not be ready\0'));
    const v1 = file('v1', elf('could not find virtio disk\0virtio disk has no queue 0\0'));
    const other = file('other', elf('hello\0'));
    expect(xv6Kernel(v2).transport).toBe('mmio');
    expect(xv6Kernel(v1)).toEqual({ transport: 'mmio-legacy', why: expect.stringContaining('legacy driver') });
    expect(xv6Kernel(other)).toEqual({ transport: 'mmio', why: expect.stringContaining('no xv6 virtio driver') });
  });

  test("a text file is refused before boot, named, with the VMM loader's reason", async () => {
    const { xv6Kernel, xv6Guest } = await withEnv({});
    const text = file('notes.txt', 'make TOOLPREFIX=riscv64-linux-gnu-\n');
    expect(() => xv6Kernel(text, 'XV6_KERNEL')).toThrow(/XV6_KERNEL is not an xv6 kernel: .*\(unknown-format\); xv6's build makes kernel\/kernel, an ELF$/);
    expect(() => xv6Kernel(text, 'XV6_KERNEL')).toThrow(text);
    expect(() => xv6Guest({ kernel: text })).toThrow(expect.objectContaining({ code: 'GUEST_IMAGE' }));
    expect(() => xv6Kernel(file('empty', ''))).toThrow('is an empty file');
  });

  test('xv6Hint names the other transport when xv6 could not find its disk', async () => {
    const { xv6Hint } = await withEnv({});
    const panic = 'xv6 kernel is booting\n\npanic: could not find virtio disk\n';
    expect(xv6Hint(panic, 'mmio')).toMatch(/try virtioTransport: 'mmio-legacy' \(CLI: --virtio-transport mmio-legacy\)/);
    expect(xv6Hint(panic, 'mmio-legacy')).toMatch(/--virtio-transport mmio\)/);
    expect(xv6Hint('panic: kerneltrap\n', 'mmio')).toBeUndefined();
  });
});
