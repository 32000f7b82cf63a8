// Build containers carry labels that say who made them and until when they may live, so that a
// build can remove what an earlier, dead build left behind. Ryuk (testcontainers' reaper) would
// do this, but its image cannot be pulled here (no registry), so it is off (engine.ts).
//
// A leftover is a build container whose owner process is gone (judged only on the host that made
// it: a pid means nothing on another machine), or whose expiry has passed: by then every deadline
// of its build has run out, so nothing can still be using it, even if its pid was reused. Each
// build sweeps before it starts its own container (container-build.ts).
import { hostname } from 'node:os';
import type { ContainerRuntimeClient } from 'testcontainers';
import { scaled } from '../config.js';
import { withDeadline } from '../wait/deadline.js';

/** Value: the build's id. Every container a build makes carries it. */
export const BUILD_LABEL = 'org.bootcase.build';
/** The host and pid of the process that made the container. */
export const OWNER_HOST_LABEL = 'org.bootcase.build.host';
export const OWNER_PID_LABEL = 'org.bootcase.build.pid';
/** Epoch ms after which the container's keep-alive sleep has ended and its build has given up. */
export const EXPIRES_LABEL = 'org.bootcase.build.expires';
/**
 * Containers labelled by older code have no owner or expiry (and sleep forever): they are swept
 * once they are this old, well past the 7.5 min (start, make, copy, stop) that code allowed a build.
 */
const UNDATED_MAX_AGE_MS = 3600_000;

export function buildLabels(id: string, expiresAt: number): Record<string, string> {
  return {
    [BUILD_LABEL]: id,
    [OWNER_HOST_LABEL]: hostname(),
    [OWNER_PID_LABEL]: String(process.pid),
    [EXPIRES_LABEL]: String(Math.ceil(expiresAt)),
  };
}

/** Is `pid` a live process here? EPERM: it exists, under another user. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Swept {
  id: string;
  why: string;
}

/** Why the container with these labels (created at `createdS`, epoch s) is a leftover, or undefined. */
export function leftoverReason(labels: Record<string, string>, createdS: number, now = Date.now(), alive = pidAlive): string | undefined {
  const pid = Number(labels[OWNER_PID_LABEL]);
  if (labels[OWNER_HOST_LABEL] === hostname() && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) {
    return `its owner pid ${pid} is gone`;
  }
  const expires = Number(labels[EXPIRES_LABEL]);
  if (Number.isFinite(expires)) return now > expires ? `it expired ${Math.round((now - expires) / 1000)} s ago` : undefined;
  const age = now - createdS * 1000;
  return age > UNDATED_MAX_AGE_MS ? `it has no expiry and is ${Math.round(age / 3600_000)} h old` : undefined;
}

/**
 * Remove (forcibly: a leftover may still be running its sleep) every build container that is a
 * leftover; another build may sweep the same one at the same time. Returns what it removed, and why.
 */
export async function sweepBuildContainers(client: ContainerRuntimeClient, timeoutMs = scaled(30_000)): Promise<Swept[]> {
  const docker = client.container.dockerode;
  const sweep = async () => {
    const found = await docker.listContainers({ all: true, filters: { label: [BUILD_LABEL] } });
    const now = Date.now();
    const stale = found.flatMap((c) => {
      const why = leftoverReason(c.Labels ?? {}, c.Created, now);
      return why ? [{ id: c.Id, why }] : [];
    });
    await removeContainers(client, stale.map((s) => s.id));
    return stale;
  };
  return withDeadline(sweep(), timeoutMs);
}

/** Remove these containers, running or not; "gone" and "already being removed" count as removed. */
export async function removeContainers(client: ContainerRuntimeClient, ids: string[]): Promise<void> {
  const docker = client.container.dockerode;
  await Promise.all(
    ids.map((id) =>
      docker
        .getContainer(id)
        .remove({ force: true })
        .catch((e: { statusCode?: number }) => {
          if (e.statusCode !== 404 && e.statusCode !== 409) throw e;
        }),
    ),
  );
}
