// make inside the toolchain image, through testcontainers. The source is copied in and the
// outputs copied out (no bind mount: files come back owned by the caller, and it works with a
// remote engine too). The container has no network, is labelled with a per-build id, and is
// stopped and removed on every path, including a start() that finishes after its deadline.
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

const SRC = '/bootcase/src';
const OUT = '/bootcase/out';
/** Containers made by a build carry this label (value: the build id), so none can be lost. */
export const BUILD_LABEL = 'org.bootcase.build';

/** Returns the id of the container it ran in (stopped and removed by then). */
export async function makeInContainer(client: ContainerRuntimeClient, image: string, job: MakeJob): Promise<string> {
  const id = randomUUID();
  const starting = new GenericContainer(image)
    .withNetworkMode('none')
    .withLabels({ [BUILD_LABEL]: id })
    .withCommand(['sleep', 'infinity'])
    .withCopyDirectoriesToContainer([{ source: job.dir, target: SRC }])
    .start();
  let container: StartedTestContainer | undefined;
  try {
    container = await withDeadline(starting, scaled(60_000));
    await make(container, job);
    await copyOut(container, job.out);
    return container.getId();
  } catch (e) {
    if (e instanceof DeadlineExceeded && !container) throw new GuestBuildError(`the toolchain container did not start within ${e.ms} ms`, '', { cause: e });
    throw e;
  } finally {
    if (container) {
      // sleep is PID 1 and ignores SIGTERM: timeout 0 kills it at once; stop() also removes it.
      await withDeadline(container.stop({ timeout: 0 }), scaled(30_000)).catch(() => removeBuildContainers(client, id));
    } else {
      starting.then((late) => late.stop({ timeout: 0 })).catch(() => {});
      await removeBuildContainers(client, id);
    }
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
async function copyOut(container: StartedTestContainer, out: string): Promise<void> {
  await mkdir(out, { recursive: true });
  const archive = await container.copyArchiveFromContainer(OUT);
  const tar = execa('tar', ['-x', '--strip-components=1', '--no-same-owner', '-C', out], { stdin: 'pipe', stderr: 'pipe' });
  await withDeadline(Promise.all([pipeline(archive as Readable, tar.stdin!), tar]), scaled(60_000));
}

/** Remove every container of build `id` (one that create() made before start() failed, say). */
async function removeBuildContainers(client: ContainerRuntimeClient, id: string): Promise<void> {
  const docker = client.container.dockerode;
  const found = await docker.listContainers({ all: true, filters: { label: [`${BUILD_LABEL}=${id}`] } }).catch(() => []);
  await Promise.all(found.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => {})));
}
