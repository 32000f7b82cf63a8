// What a guest is before it boots: an image plus the VMM options it needs. Per-guest defaults
// (memory, deadline) live here, not in tests.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadManifest } from '../config.js';
import { GuestImageError } from '../errors.js';
import type { SbiExtName, SbiServeName } from '../protocol/sbi.js';
import { checkImage, memoryMap, type ImageVerdict } from '../native/addon.js';

/** What the VMM can trace into the run's events: `sbi` = every SBI call that reaches it (run.sbiCalls). */
export type TraceKind = 'sbi';

export interface GuestSpec {
  /** Short name for logs and artifact folders. */
  name: string;
  /** Path of the kernel image on the host: an ELF, a Linux Image, or a flat binary declared by `format`. */
  image: string;
  /**
   * `'flat'`: the image is a flat binary (raw bytes, no header), loaded at `loadAddr` (default:
   * the start of RAM) and entered at `entry` (default: its first byte). A flat binary has nothing
   * to be recognised by, so an undeclared file that is neither an ELF nor a Linux Image is
   * refused before boot (a text file would otherwise run as code).
   */
  format?: 'flat';
  loadAddr?: bigint;
  entry?: bigint;
  memMiB: number;
  /** Extra VMM arguments (docs/protocol.md, "VMM command line"). */
  vmmArgs: string[];
  /** Deadline for the whole run, before the timeout scale. */
  timeoutMs: number;
  /** More host files the run needs, each uploaded and passed as `<flag> <L1 path>` (--initrd). */
  uploads: { flag: string; path: string }[];
  /** `['sbi']`: the VMM's --sbi-trace, for run.sbiCalls. */
  trace?: readonly TraceKind[];
  /**
   * SBI extensions to take away from the guest (--sbi-disable), for negative tests: the guest
   * gets NOT_SUPPORTED and BASE probe_extension reports them absent. `'hsm'`, `'dbcn'`, ...
   */
  sbiDisable?: readonly SbiExtName[];
  /**
   * SBI extensions the VMM serves itself instead of KVM (--sbi-serve): `'time'`, `'ipi'`,
   * `'hsm'`. Needs our patched L1 (images/kernels/patches/); a stock KVM is refused.
   */
  sbiServe?: readonly SbiServeName[];
}

export type GuestInit = Partial<Omit<GuestSpec, 'image'>> & { image: string };

export function guest(init: GuestInit): GuestSpec {
  return {
    name: init.name ?? basename(init.image).replace(/\.[^.]*$/, ''),
    image: init.image,
    memMiB: init.memMiB ?? 128,
    vmmArgs: init.vmmArgs ?? [],
    timeoutMs: init.timeoutMs ?? 10_000,
    uploads: init.uploads ?? [],
    ...(init.format ? { format: init.format } : {}),
    ...(init.loadAddr !== undefined ? { loadAddr: init.loadAddr } : {}),
    ...(init.entry !== undefined ? { entry: init.entry } : {}),
    ...(init.trace?.length ? { trace: init.trace } : {}),
    ...(init.sbiDisable?.length ? { sbiDisable: init.sbiDisable } : {}),
    ...(init.sbiServe?.length ? { sbiServe: init.sbiServe } : {}),
  };
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** The VMM options for a spec's `format`, `trace`, `sbiDisable` and `sbiServe`. */
export function traceArgs(spec: GuestSpec): string[] {
  return [
    ...(spec.format === 'flat' ? ['--flat-load', hex(spec.loadAddr ?? memoryMap().ramBase), ...(spec.entry !== undefined ? ['--flat-entry', hex(spec.entry)] : [])] : []),
    ...(spec.trace?.includes('sbi') ? ['--sbi-trace'] : []),
    ...(spec.sbiDisable?.length ? ['--sbi-disable', spec.sbiDisable.join(',')] : []),
    ...(spec.sbiServe?.length ? ['--sbi-serve', spec.sbiServe.join(',')] : []),
  ];
}

/** One of our milestone guests from guests/asm (built by images/build.ts). */
export function asmGuest(name: string, init: Partial<GuestInit> = {}): GuestSpec {
  return guest({ name, ...init, image: join(loadManifest().asmGuests, `${name}.elf`) });
}

export interface LoadedImage {
  bytes: Buffer;
  /** Content hash: the stage uploads a given image once. */
  sha: string;
  /** The VMM loader's verdict (format, entry, segments); absent when the check was skipped. */
  verdict?: ImageVerdict & { ok: true };
}

/** Read a file the guest needs (kernel, initrd); a missing or empty one is named in the error. */
export function readGuestFile(path: string, what: string): Buffer {
  let bytes: Buffer;
  try {
    if (!statSync(path).isFile()) throw new GuestImageError(path, `${what} is not a regular file`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof GuestImageError) throw e;
    throw new GuestImageError(path, `cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (bytes.length === 0) throw new GuestImageError(path, `${what} is an empty file`);
  return bytes;
}

export const contentHash = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 16);

/**
 * The VMM loader's own verdict on a spec's image (vmm/loader, through the native addon): the
 * rules the VMM applies, in the RAM the spec gives the guest.
 */
export function checkGuestImage(spec: GuestSpec, bytes: Uint8Array): ImageVerdict {
  return checkImage(bytes, {
    ramBase: memoryMap().ramBase,
    ramSize: BigInt(spec.memMiB) << 20n,
    ...(spec.format === 'flat' ? { format: 'flat' as const } : {}),
    ...(spec.loadAddr !== undefined ? { load: spec.loadAddr } : {}),
    ...(spec.entry !== undefined ? { entry: spec.entry } : {}),
  });
}

/** Read and check the image on the host, as the VMM will; every problem names the file and the loader's reason code. */
export function loadImage(spec: GuestSpec, opts: { check?: boolean } = {}): LoadedImage {
  const bytes = readGuestFile(spec.image, 'guest image');
  const sha = contentHash(bytes);
  if (opts.check === false) return { bytes, sha }; // the caller wants the VMM to see the image unchecked
  const verdict = checkGuestImage(spec, bytes);
  if (!verdict.ok) throw new GuestImageError(spec.image, `${verdict.message} (${verdict.reason})`);
  return { bytes, sha, verdict };
}
