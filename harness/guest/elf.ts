// Host-side check of a guest ELF before anything boots, so a bad image fails in milliseconds
// with the file named, instead of after an L1 boot. The VMM validates again (it must not trust
// its input either); this copy exists for the fast, clear error.
import { GuestImageError } from '../errors.js';

export const EM_RISCV = 243;
const ET_EXEC = 2;
const PT_LOAD = 1;

export const isElf = (b: Uint8Array) => b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

export interface ElfSummary {
  entry: bigint;
  loads: { vaddr: bigint; paddr: bigint; memsz: bigint; filesz: bigint }[];
}

/** Validate a RISC-V ELF64 executable that must load inside [ramBase, ramBase + ramSize). */
export function checkElf(file: string, b: Buffer, ramBase: bigint, ramSize: bigint): ElfSummary {
  const bad = (why: string): never => {
    throw new GuestImageError(file, `bad ELF: ${why}`);
  };
  if (b.length < 64) bad(`truncated: ${b.length} bytes, an ELF64 header alone is 64`);
  if (b[4] !== 2) bad(`EI_CLASS ${b[4]} is not ELFCLASS64`);
  if (b[5] !== 1) bad(`EI_DATA ${b[5]} is not little-endian`);
  const machine = b.readUInt16LE(18);
  if (machine !== EM_RISCV) bad(`e_machine ${machine} is not RISC-V (${EM_RISCV})`);
  const type = b.readUInt16LE(16);
  if (type !== ET_EXEC) bad(`e_type ${type} is not ET_EXEC (a static, non-PIE executable is needed)`);
  const entry = b.readBigUInt64LE(24);
  const phoff = Number(b.readBigUInt64LE(32));
  const phentsize = b.readUInt16LE(54);
  const phnum = b.readUInt16LE(56);
  if (phnum === 0) bad('no program headers');
  if (phentsize < 56) bad(`e_phentsize ${phentsize} is smaller than an Elf64_Phdr`);
  if (phoff + phnum * phentsize > b.length) bad(`program headers at ${phoff} run past the end of the file (${b.length} bytes)`);
  const loads: ElfSummary['loads'] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (b.readUInt32LE(o) !== PT_LOAD) continue;
    const offset = b.readBigUInt64LE(o + 8);
    const paddr = b.readBigUInt64LE(o + 24);
    const filesz = b.readBigUInt64LE(o + 32);
    const memsz = b.readBigUInt64LE(o + 40);
    if (offset + filesz > BigInt(b.length)) bad(`segment ${i} file bytes [${offset}, +${filesz}) run past the end of the file`);
    if (paddr < ramBase || paddr + memsz > ramBase + ramSize) {
      bad(`segment ${i} [0x${paddr.toString(16)}, 0x${(paddr + memsz).toString(16)}) is outside guest RAM [0x${ramBase.toString(16)}, 0x${(ramBase + ramSize).toString(16)})`);
    }
    loads.push({ vaddr: b.readBigUInt64LE(o + 16), paddr, memsz, filesz });
  }
  if (!loads.length) bad('no PT_LOAD segment');
  if (!loads.some((l) => entry >= l.paddr && entry < l.paddr + l.memsz)) bad(`entry 0x${entry.toString(16)} is in no loaded segment`);
  return { entry, loads };
}
