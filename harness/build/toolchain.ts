// Build riscv64 guests (a guests/asm-style Makefile project) in the toolchain container when a
// container engine answers and has the current image, else with the host's cross toolchain.
// Every build logs which toolchain it used and why.
import { availableParallelism } from 'node:os';
import { relative, resolve } from 'node:path';
import { repoRoot, scaled } from '../config.js';
import { makeInContainer } from './container-build.js';
import { probeEngine } from './engine.js';
import { EngineUnavailableError, ToolchainImageError } from './errors.js';
import { hostToolchain, makeOnHost, requireHostToolchain } from './host-build.js';
import { checkToolchainImage, TOOLCHAIN_IMAGE } from './image.js';
import type { MakeJob } from './make-job.js';

export type ToolchainPreference = 'auto' | 'container' | 'host';

export interface BuildGuestsOptions {
  /** The project directory: a Makefile that takes OUT=<dir> and CROSS=<prefix> (guests/asm). */
  dir: string;
  /** Where the outputs go (OUT=); created when missing. */
  out: string;
  /** 'auto' (default): the container when an engine answers and has the current image, else the host. */
  prefer?: ToolchainPreference;
  /** make targets as paths relative to `out`, e.g. 'hello-dbcn.elf'; default: the Makefile's default goal. */
  targets?: string[];
  /** The cross prefix (CROSS=), default riscv64-linux-gnu-. */
  cross?: string;
  jobs?: number;
  /** Deadline for make itself, default 300 s (scaled by BOOTCASE_TIMEOUT_SCALE). */
  timeoutMs?: number;
  /** The image to build in, default localhost/bootcase-toolchain:bookworm (containers/build-image.sh). */
  image?: string;
  /** Where the "which toolchain and why" lines go, default stderr with a `build:` prefix. */
  log?: (line: string) => void;
}

export interface GuestBuild {
  via: 'container' | 'host';
  /** Why this toolchain: the preference and what the engine probe found. */
  why: string;
  /** The toolchain's Debian package versions ("pkg=version ..."): equal strings, same compiler. */
  toolchain: string;
  out: string;
  ms: number;
  /** The container's id (via 'container'); it is stopped and removed by the time this returns. */
  container?: string;
}

type Plan =
  | { via: 'container'; why: string; run: (job: MakeJob, log: (line: string) => void) => Promise<string>; toolchain: string; what: string }
  | { via: 'host'; why: string; /** Why not the container, when 'auto' fell back. */ fallback?: string };

/** Pick the toolchain. Throws only for prefer 'container'; 'auto' falls back to the host with the reason. */
async function plan(prefer: ToolchainPreference, image: string): Promise<Plan> {
  if (prefer === 'host') return { via: 'host', why: 'prefer: host' };
  const engine = await probeEngine();
  let reason: string;
  if (engine.ok) {
    const check = await checkToolchainImage(engine.client, image);
    if (check.ok) {
      return {
        via: 'container',
        why: `prefer: ${prefer}; ${engine.description} has the current image`,
        run: (job, log) => makeInContainer(engine.client, image, job, log),
        toolchain: check.toolchain,
        what: `container ${image}`,
      };
    }
    if (prefer === 'container') throw new ToolchainImageError(check.reason);
    reason = check.reason;
  } else {
    if (prefer === 'container') throw new EngineUnavailableError(`${engine.reason}: start one with \`containers/engine.sh start\` (as root), or set DOCKER_HOST`);
    reason = `${engine.reason}; \`containers/engine.sh start\` starts one`;
  }
  return { via: 'host', why: `prefer: auto; ${reason}`, fallback: reason };
}

export async function buildGuests(opts: BuildGuestsOptions): Promise<GuestBuild> {
  const log = opts.log ?? ((line: string) => console.error(`build: ${line}`));
  const job: MakeJob = {
    dir: resolve(opts.dir),
    out: resolve(opts.out),
    targets: opts.targets ?? [],
    cross: opts.cross ?? 'riscv64-linux-gnu-',
    jobs: opts.jobs ?? availableParallelism(),
    timeoutMs: opts.timeoutMs ?? scaled(300_000),
  };
  const name = relative(repoRoot, job.dir).startsWith('..') ? job.dir : relative(repoRoot, job.dir) || '.';
  const t = Date.now();
  const p = await plan(opts.prefer ?? 'auto', opts.image ?? TOOLCHAIN_IMAGE);
  let toolchain: string;
  let container: string | undefined;
  if (p.via === 'container') {
    log(`${name} via ${p.what} (${p.why})`);
    toolchain = p.toolchain;
    container = await p.run(job, log);
  } else {
    await requireHostToolchain(job.cross, p.fallback);
    toolchain = await hostToolchain(job.cross);
    log(`${name} via host toolchain ${job.cross}gcc (${p.why})`);
    await makeOnHost(job);
  }
  const ms = Date.now() - t;
  log(`${name}: built ${job.targets.length ? job.targets.join(' ') : 'the default goal'} in ${(ms / 1000).toFixed(1)} s (${p.via})`);
  return { via: p.via, why: p.why, toolchain, out: job.out, ms, container };
}
