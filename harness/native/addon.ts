// The native addon (native/): the VMM's own loader and facts, compiled for the host. The harness
// checks images with it and reads the memory map, the SBI EIDs and the fault kinds from it, so
// the VMM's C headers are the only place those are written down. Loaded on first use; built
// first (native/build.cjs, cached by a hash of its inputs) if this source tree has no build yet.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToolMissingError } from '../errors.js';

export type ImageFormat = 'elf' | 'linux' | 'flat';

export interface ImageCheckOptions {
  ramBase: bigint;
  ramSize: bigint;
  /** 'flat': a flat binary, declared (it has no magic to be recognised by); else auto. */
  format?: 'auto' | 'flat';
  /** A flat binary's load address (default: RAM base) and entry (default: its first byte). */
  load?: bigint;
  entry?: bigint;
}

export interface LoadSegment {
  paddr: bigint;
  memsz: bigint;
  filesz: bigint;
  offset: bigint;
}

export type ImageVerdict =
  | { ok: true; format: ImageFormat; entry: bigint; lo: bigint; hi: bigint; segments: LoadSegment[] }
  /** `reason`: the loader's code (vmm/loader/loader.h, LOADER_REASONS), the VMM prints the same. */
  | { ok: false; reason: string; message: string };

export interface MemoryRegion {
  /** The device-tree node name stem (vmm/include/layout.h). */
  name: string;
  base: bigint;
  /** 0 for memory: its size is the guest's (--mem). */
  size: bigint;
  /** PLIC source, 0 = none. */
  irq: number;
}

interface Addon {
  checkImage(bytes: Uint8Array, opts: ImageCheckOptions): ImageVerdict;
  layout: MemoryRegion[];
  constants: { dramBase: bigint; virtioBase: bigint; virtioStride: bigint; virtioSlots: number; timebaseHz: number; dtbMaxSize: bigint };
  sbiEids: Record<string, bigint>;
  faultKinds: string[];
  loaderReasons: string[];
}

/** The package root: the directory above this file that holds native/build.cjs (source or compiled). */
function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'native', 'build.cjs'))) return dir;
    if (dirname(dir) === dir) throw new ToolMissingError(`native addon: no native/build.cjs above ${fileURLToPath(import.meta.url)}`);
  }
}

let loaded: Addon | undefined;

/** The addon, built if needed; a missing compiler or header is a ToolMissingError naming the Debian package. */
export function addon(): Addon {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const build = require(join(packageRoot(), 'native', 'build.cjs')) as typeof import('../../native/build.cjs');
  let path: string;
  try {
    path = build.buildAddon();
  } catch (e) {
    if (e instanceof build.AddonBuildError) throw new ToolMissingError(e.message);
    throw e;
  }
  loaded = require(path) as Addon;
  return loaded;
}

/** The VMM's loader verdict on an image, without loading it (vmm/loader: loader__check). */
export const checkImage = (bytes: Uint8Array, opts: ImageCheckOptions): ImageVerdict => addon().checkImage(bytes, opts);

export interface MemoryMap {
  /** Where guest RAM starts (the `memory` region's base). */
  ramBase: bigint;
  /** Every region of the machine, in layout.h's order; `firmware` and `clint` exist only with --profile xv6, `aplic` and `imsics` only with --irqchip aia (instead of `plic`). */
  regions: readonly MemoryRegion[];
  /** virtio-mmio slot i is at the `virtio_mmio` base + i * virtioStride. */
  virtioStride: bigint;
  virtioSlots: number;
  /** The timer's frequency, as the device tree gives it. */
  timebaseHz: number;
  /** Bytes at the top of RAM that hold the device tree (an image must end below them). */
  dtbMaxSize: bigint;
}

/** The guest memory map as the VMM has it (vmm/include/layout.h). */
export function memoryMap(): MemoryMap {
  const { constants: k, layout } = addon();
  return { ramBase: k.dramBase, regions: layout, virtioStride: k.virtioStride, virtioSlots: k.virtioSlots, timebaseHz: k.timebaseHz, dtbMaxSize: k.dtbMaxSize };
}

/** A region by its layout.h name (`serial`, `plic`, `virtio_mmio`, `memory`, ...). */
export function region(name: string): MemoryRegion {
  const r = addon().layout.find((x) => x.name === name);
  if (!r) throw new Error(`no region '${name}' in vmm/include/layout.h (${addon().layout.map((x) => x.name).join(', ')})`);
  return r;
}
