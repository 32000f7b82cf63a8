// A corpus of good and bad guest images, built byte by byte, with the verdict each must get.
// The same files go to the harness's check (the native addon, harness/guest/image.test.ts) and
// to the VMM in L1 with the host check off (guests/asm/loader-corpus.test.ts): both must accept
// or refuse each one, with the same reason code (vmm/loader/loader.h, LOADER_REASONS).
import type { GuestInit } from './guest.js';

/** BOOTCASE EXIT with code 0 (a7 = 0x08424354, a6 = 0, a0 = 0; ecall): a guest that passes. */
const PASS = [0x084248b7, 0x35488893, 0x00000813, 0x00000513, 0x00000073];
const code = (words = PASS) => Buffer.from(new Uint32Array(words).buffer);

interface Seg {
  type?: number;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
}

/** An ELF64 RISC-V executable: header, program headers at 64, and `body` from `bodyAt`. */
function elf(o: { entry: bigint; segs: Seg[]; body: Buffer; bodyAt: number; machine?: number; type?: number }): Buffer {
  const b = Buffer.alloc(Math.max(o.bodyAt + o.body.length, 64 + 56 * o.segs.length));
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  b.writeUInt16LE(o.type ?? 2, 16); // ET_EXEC
  b.writeUInt16LE(o.machine ?? 243, 18); // EM_RISCV
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(o.entry, 24);
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(64, 52);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(o.segs.length, 56);
  o.segs.forEach((s, i) => {
    const p = 64 + 56 * i;
    b.writeUInt32LE(s.type ?? 1, p); // PT_LOAD
    b.writeUInt32LE(5, p + 4); // R+X
    b.writeBigUInt64LE(BigInt(s.offset), p + 8);
    b.writeBigUInt64LE(s.vaddr, p + 16);
    b.writeBigUInt64LE(s.paddr, p + 24);
    b.writeBigUInt64LE(s.filesz, p + 32);
    b.writeBigUInt64LE(s.memsz, p + 40);
  });
  o.body.copy(b, o.bodyAt);
  return b;
}

/** The usual shape: one segment of PASS code at `at`, file offset 0x1000. */
function simple(ram: bigint, opts: { at?: bigint; entry?: bigint; filesz?: bigint; memsz?: bigint; machine?: number; type?: number } = {}): Buffer {
  const at = opts.at ?? ram;
  const n = BigInt(PASS.length * 4);
  return elf({
    entry: opts.entry ?? at,
    segs: [{ offset: 0x1000, vaddr: at, paddr: at, filesz: opts.filesz ?? n, memsz: opts.memsz ?? 0x100n }],
    body: code(),
    bodyAt: 0x1000,
    ...(opts.machine ? { machine: opts.machine } : {}),
    ...(opts.type ? { type: opts.type } : {}),
  });
}

/** A RISC-V Linux Image: `j 0x40` in code0, the header, PASS code at 0x40. */
function linuxImage(o: { textOffset: bigint; imageSize: bigint; flags?: bigint }): Buffer {
  const b = Buffer.alloc(0x1000);
  b.writeUInt32LE(0x0400006f, 0); // j .+64
  b.writeBigUInt64LE(o.textOffset, 0x08);
  b.writeBigUInt64LE(o.imageSize, 0x10);
  b.writeBigUInt64LE(o.flags ?? 0n, 0x18);
  b.write('RISCV\0\0\0', 0x30, 'latin1');
  b.write('RSC\x05', 0x38, 'latin1');
  code().copy(b, 0x40);
  return b;
}

export interface CorpusCase {
  name: string;
  bytes: Buffer;
  /** How the guest is declared besides its image (a flat binary's format, load address, entry). */
  spec?: Partial<GuestInit>;
  memMiB: number;
  /** 'ok', or the loader's reason code. */
  want: string;
  /** For 'ok': the format and the physical entry the loader must report. */
  format?: 'elf' | 'linux' | 'flat';
  entry?: bigint;
}

/** The corpus for a guest whose RAM starts at `ram` (from the addon's memory map, not a copy). */
export function imageCorpus(ram: bigint): CorpusCase[] {
  const memMiB = 16;
  const ramEnd = ram + (BigInt(memMiB) << 20n);
  const n = BigInt(PASS.length * 4);
  const headersBelow = (junk: boolean) => {
    // ld -Ttext=RAM maps the ELF and program headers a page below RAM, in front of .text
    const b = elf({ entry: ram, segs: [{ offset: 0, vaddr: ram - 0x1000n, paddr: ram - 0x1000n, filesz: 0x1000n + n, memsz: 0x1000n + n }], body: code(), bodyAt: 0x1000 });
    if (junk) b[0x800] = 0xcc;
    return b;
  };
  const c = (name: string, bytes: Buffer, want: string, more: Partial<CorpusCase> = {}): CorpusCase => ({ name, bytes, want, memMiB, ...more });
  return [
    c('ELF at the start of RAM', simple(ram), 'ok', { format: 'elf', entry: ram }),
    c('ELF linked at a virtual address (VMA != LMA, virtual entry)', elf({ entry: 0xffff_ffff_8000_0000n, segs: [{ offset: 0x1000, vaddr: 0xffff_ffff_8000_0000n, paddr: ram + 0x20_0000n, filesz: n, memsz: 0x100n }], body: code(), bodyAt: 0x1000 }), 'ok', { format: 'elf', entry: ram + 0x20_0000n }),
    c('ELF with its headers mapped just below RAM', headersBelow(false), 'ok', { format: 'elf', entry: ram }),
    c('ELF with data below RAM in front of .text', headersBelow(true), 'outside-ram'),
    c('ELF with an empty PT_LOAD', elf({ entry: ram, segs: [{ offset: 0, vaddr: 0n, paddr: 0n, filesz: 0n, memsz: 0n }, { offset: 0x1000, vaddr: ram, paddr: ram, filesz: n, memsz: n }], body: code(), bodyAt: 0x1000 }), 'ok', { format: 'elf', entry: ram }),
    c('ELF with p_filesz > p_memsz', simple(ram, { memsz: 8n }), 'elf-filesz'),
    c('ELF with file bytes and p_memsz 0', simple(ram, { memsz: 0n }), 'elf-filesz'),
    c('ELF truncated inside its header', simple(ram).subarray(0, 40), 'elf-truncated'),
    c('ELF cut inside its program headers', simple(ram).subarray(0, 100), 'elf-phdrs'),
    c('ELF cut inside a segment', simple(ram).subarray(0, 0x1008), 'elf-segment-file'),
    c('ELF32', Object.assign(simple(ram), { [4]: 1 }), 'elf-ident'),
    c('ELF without a PT_LOAD', elf({ entry: ram, segs: [{ type: 4, offset: 0x1000, vaddr: ram, paddr: ram, filesz: n, memsz: n }], body: code(), bodyAt: 0x1000 }), 'elf-no-load'),
    c('ELF for x86-64', simple(ram, { machine: 62 }), 'elf-machine'),
    c('ELF position-independent (ET_DYN)', simple(ram, { type: 3 }), 'elf-type'),
    c('ELF entry in no segment', simple(ram, { entry: ram + 0x10_0000n }), 'elf-entry'),
    c('ELF below RAM', simple(ram, { at: 0x1000n }), 'outside-ram'),
    c('ELF past the end of RAM', simple(ram, { at: ramEnd - 0x10n }), 'outside-ram'),
    c('ELF reaching the device tree window', simple(ram, { at: ramEnd - 0x1_0000n - 0x10n }), 'dtb-overlap'),
    c('a text file', Buffer.from('#!/bin/sh\necho this is not a kernel\n'), 'unknown-format'),
    c('RISC-V code, undeclared', code(), 'unknown-format'),
    c('RISC-V code, declared flat', code(), 'ok', { spec: { format: 'flat' }, format: 'flat', entry: ram }),
    c('RISC-V code, declared flat at an address', code(), 'ok', { spec: { format: 'flat', loadAddr: ram + 0x20_0000n }, format: 'flat', entry: ram + 0x20_0000n }),
    c('flat, entry past its bytes', code(), 'flat-entry', { spec: { format: 'flat', loadAddr: ram, entry: ram + 0x100n } }),
    c('flat, loaded below RAM', code(), 'outside-ram', { spec: { format: 'flat', loadAddr: 0x1000n } }),
    c('flat, odd entry (no instruction starts there)', code(), 'flat-entry', { spec: { format: 'flat', loadAddr: ram, entry: ram + 1n } }),
    c('an ELF declared flat', simple(ram), 'flat-not-raw', { spec: { format: 'flat' } }),
    c('a Linux Image declared flat', linuxImage({ textOffset: 0x20_0000n, imageSize: 0x1000n }), 'flat-not-raw', { spec: { format: 'flat' } }),
    c('Linux Image', linuxImage({ textOffset: 0x20_0000n, imageSize: 0x1000n }), 'ok', { format: 'linux', entry: ram + 0x20_0000n }),
    c('Linux Image, text_offset not 2 MiB aligned', linuxImage({ textOffset: 0x1000n, imageSize: 0x1000n }), 'linux-align'),
    c('Linux Image, big-endian', linuxImage({ textOffset: 0x20_0000n, imageSize: 0x1000n, flags: 1n }), 'linux-endian'),
    c('Linux Image larger than RAM', linuxImage({ textOffset: 0x20_0000n, imageSize: 64n << 20n }), 'outside-ram'),
  ];
}
