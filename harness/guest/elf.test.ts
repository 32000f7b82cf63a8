import { describe, expect, test } from 'vitest';
import { checkElf, EM_RISCV } from './elf.js';

// A minimal ELF64 header + one PT_LOAD program header, built field by field.
function elf(opts: { machine?: number; type?: number; paddr?: bigint; memsz?: bigint; entry?: bigint; phnum?: number } = {}): Buffer {
  const b = Buffer.alloc(64 + 56 + 16);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  b.writeUInt16LE(opts.type ?? 2, 16);
  b.writeUInt16LE(opts.machine ?? EM_RISCV, 18);
  b.writeBigUInt64LE(opts.entry ?? 0x8000_0000n, 24);
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(opts.phnum ?? 1, 56);
  b.writeUInt32LE(1, 64); // PT_LOAD
  b.writeBigUInt64LE(120n, 64 + 8); // p_offset
  b.writeBigUInt64LE(opts.paddr ?? 0x8000_0000n, 64 + 24);
  b.writeBigUInt64LE(16n, 64 + 32); // p_filesz
  b.writeBigUInt64LE(opts.memsz ?? 16n, 64 + 40);
  return b;
}

const RAM = [0x8000_0000n, 128n << 20n] as const;

describe('checkElf', () => {
  test('accepts a RISC-V executable inside RAM', () => {
    expect(checkElf('g.elf', elf(), ...RAM).entry).toBe(0x8000_0000n);
  });
  test.each([
    [{ machine: 62 }, 'g.elf: bad ELF: e_machine 62 is not RISC-V (243)'],
    [{ type: 3 }, 'g.elf: bad ELF: e_type 3 is not ET_EXEC (a static, non-PIE executable is needed)'],
    [{ phnum: 0 }, 'g.elf: bad ELF: no program headers'],
    [{ paddr: 0x1000n }, 'g.elf: bad ELF: segment 0 [0x1000, 0x1010) is outside guest RAM [0x80000000, 0x88000000)'],
    [{ memsz: 256n << 20n }, 'g.elf: bad ELF: segment 0 [0x80000000, 0x90000000) is outside guest RAM [0x80000000, 0x88000000)'],
    [{ entry: 0x9000_0000n }, 'g.elf: bad ELF: entry 0x90000000 is in no loaded segment'],
  ])('rejects %o', (opts, message) => {
    expect(() => checkElf('g.elf', elf(opts), ...RAM)).toThrow(message);
  });
  test('rejects truncated files and headers past the end', () => {
    expect(() => checkElf('g.elf', elf().subarray(0, 30), ...RAM)).toThrow('g.elf: bad ELF: truncated: 30 bytes, an ELF64 header alone is 64');
    expect(() => checkElf('g.elf', elf().subarray(0, 100), ...RAM)).toThrow(/program headers at 64 run past the end of the file \(100 bytes\)/);
  });
});
