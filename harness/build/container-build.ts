// make inside the toolchain image, through testcontainers. The source is copied in and the
// outputs copied out (no bind mount: files come back owned by the caller, and it works with a
// remote engine too). The container has no network.
//
// No container may outlive its build for long, whatever happens to this process:
// * `await using` stops it on every path out of makeInContainer, including a start() that
//   finishes after its deadline;
// * its PID 1 is `sleep <the build's deadlines>`, not `sleep infinity`, and the engine removes it
//   when that exits (HostConfig.AutoRemove): a SIGKILLed build leaves a container that is gone
//   once its deadlines have passed;
// * it is labelled with its owner and expiry (sweep.ts), and each build first removes the
//   leftovers of dead builds (a container that was created but never started has no sleep).
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { GenericContainer, type ContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { scaled } from '../config.js';
import { DeadlineExceeded, withDeadline } from '../wait/deadline.js';
import { GuestBuildError } from './errors.js';
import type { MakeJob } from './make-job.js';
import { BUILD_LABEL, buildLabels, removeContainers, sweepBuildContainers } from './sweep.js';

export { BUILD_LABEL } from './sweep.js';

const SRC = '/bootcase/src';
const OUT = '/bootcase/out';

/**
 * testcontainers' withAutoRemove() only decides whether stop() also removes the container; the
 * engine's own AutoRemove (removal once PID 1 exits, with no client left) has no builder method,
 * so this subclass sets it in GenericContainer's protected hostConfig.
 */
class EngineRemovedContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    this.hostConfig.AutoRemove = true;
  }
}

/** A started build container; disposing of it stops it and waits until the engine has removed it. */
class BuildContainer implements AsyncDisposable {
  constructor(
    readonly started: StartedTestContainer,
    private readonly client: ContainerRuntimeClient,
    private readonly buildId: string,
    private readonly log: (line: string) => void,
  ) {}

  get id(): string {
    return this.started.getId();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // Asked before the stop, so it cannot miss the removal; a 404 means it is already gone.
    const removed = this.client.container.dockerode
      .getContainer(this.id)
      .wait({ condition: 'removed' })
      .catch((e: { statusCode?: number }) => {
        if (e.statusCode !== 404) throw e;
      });
    try {
      // sleep is PID 1 and ignores SIGTERM: timeout 0 kills it at once.
      await withDeadline(Promise.all([this.started.stop({ timeout: 0 }), removed]), scaled(30_000));
    } catch (e) {
      await removeBuild(this.client, this.buildId).catch((e2: unknown) => {
        // Not thrown, so as not to mask how the build went: the next build sweeps it once it expires.
        this.log(`could not remove build container ${this.id.slice(0, 12)}: ${String(e)}; ${String(e2)}`);
      });
    }
  }
}

/** Returns the id of the container it ran in (stopped and removed by then). */
export async function makeInContainer(client: ContainerRuntimeClient, image: string, job: MakeJob, log: (line: string) => void): Promise<string> {
  for (const s of await sweepBuildContainers(client)) log(`removed leftover build container ${s.id.slice(0, 12)}: ${s.why}`);
  const startMs = scaled(60_000);
  const copyMs = scaled(60_000);
  // The sleep outlasts make and the copy out by a little (the exec's start, tar's end).
  const sleepS = Math.ceil((job.timeoutMs + copyMs + scaled(30_000)) / 1000);
  // The sleep starts at most startMs from now (or start() is given up and the container stopped).
  const expiresAt = Date.now() + startMs + sleepS * 1000;
  await using container = await start(client, image, job, { startMs, sleepS, expiresAt, log });
  await make(container.started, job);
  await copyOut(container.started, job.out, copyMs);
  return container.id;
}

interface StartOptions {
  startMs: number;
  sleepS: number;
  expiresAt: number;
  log: (line: string) => void;
}

async function start(client: ContainerRuntimeClient, image: string, job: MakeJob, o: StartOptions): Promise<BuildContainer> {
  const id = randomUUID();
  const starting = new EngineRemovedContainer(image)
    // The engine removes it (see above); a second remove from stop() would race that one.
    .withAutoRemove(false)
    .withNetworkMode('none')
    .withLabels(buildLabels(id, o.expiresAt))
    .withCommand(['sleep', String(o.sleepS)])
    .withCopyDirectoriesToContainer([{ source: job.dir, target: SRC }])
    .start();
  try {
    return new BuildContainer(await withDeadline(starting, o.startMs), client, id, o.log);
  } catch (e) {
    // start() goes on after its deadline: stop it when it finishes, and remove what create() made.
    starting.then((late) => late.stop({ timeout: 0 })).catch(() => {});
    await removeBuild(client, id).catch(() => {});
    if (e instanceof DeadlineExceeded) throw new GuestBuildError(`the toolchain container did not start within ${e.ms} ms`, '', { cause: e });
    throw e;
  }
}

async function make(container: StartedTestContainer, job: MakeJob): Promise<void> {
  const argv = ['make', '-C', SRC, `-j${job.jobs}`, `OUT=${OUT}`, `CROSS=${job.cross}`, ...job.targets.map((t) => posix.join(OUT, t))];
  let r;
  try {
    r = await withDeadline(container.exec(['sh', '-c', 'mkdir -p "$0" && exec "$@"', OUT, ...argv]), job.timeoutMs);
  } catch (e) {
    if (e instanceof DeadlineExceeded) throw new GuestBuildError(`make in ${job.dir} did not finish within ${e.ms} ms (toolchain container)`, '', { cause: e });
    throw e;
  }
  if (r.exitCode !== 0) throw new GuestBuildError(`make in ${job.dir} failed in the toolchain container (exit ${r.exitCode})`, r.output);
}

/** The container's OUT, as a tar stream, unpacked into the host's `out` (minus the top dir). */
async function copyOut(container: StartedTestContainer, out: string, timeoutMs: number): Promise<void> {
  await mkdir(out, { recursive: true });
  const archive = await container.copyArchiveFromContainer(OUT);
  const tar = execa('tar', ['-x', '--strip-components=1', '--no-same-owner', '-C', out], { stdin: 'pipe', stderr: 'pipe' });
  await withDeadline(Promise.all([pipeline(archive as Readable, tar.stdin!), tar]), timeoutMs);
}

/** Remove every container of build `id` (one that create() made before start() failed, say). */
async function removeBuild(client: ContainerRuntimeClient, id: string): Promise<void> {
  const found = await client.container.dockerode.listContainers({ all: true, filters: { label: [`${BUILD_LABEL}=${id}`] } });
  await removeContainers(client, found.map((c) => c.Id));
}
