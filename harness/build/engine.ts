// Which container engine the guest build talks to. The candidates mirror containers/engine.sh:
// an explicit DOCKER_HOST alone, else bootcase's own dockerd (under the cache dir), else
// /var/run/docker.sock. A unix socket that is not there fails in microseconds, without asking
// testcontainers anything.
//
// testcontainers reads DOCKER_HOST (and its TESTCONTAINERS_* knobs) from process.env once, at its
// first call, and keeps it for the life of the process. So this file sets them right before that
// first call, and is the only place in harness/build/ that touches process.env.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getContainerRuntimeClient, type ContainerRuntimeClient } from 'testcontainers';
import { config, scaled } from '../config.js';
import { withDeadline } from '../wait/deadline.js';

export const engineDir = join(config.cacheDir, 'containers', 'docker');
export const ownDockerHost = `unix://${join(engineDir, 'docker.sock')}`;
const SYSTEM_DOCKER_HOST = 'unix:///var/run/docker.sock';

export type EngineProbe =
  | { ok: true; client: ContainerRuntimeClient; dockerHost: string; description: string }
  | { ok: false; reason: string };

/** The DOCKER_HOST this process handed to testcontainers; it cannot change afterwards. */
let configuredHost: string | undefined;

function configure(dockerHost: string): void {
  process.env.DOCKER_HOST = dockerHost;
  // No registry is reachable: the reaper image (ryuk) cannot be pulled, so it is off. What it
  // would do, container-build.ts and sweep.ts do: bounded, self-removing, labelled containers,
  // and each build removes the leftovers of dead ones.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // /.dockerenv exists on these VMs, which sends testcontainers looking for a `bridge` network
  // (absent with dockerd --bridge=none) and then for alpine:3.14 (not pullable).
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';
  configuredHost = dockerHost;
}

/**
 * The DOCKER_HOST the client really talks to, when testcontainers says so. For a unix socket its
 * strategy resolved, info.containerRuntime.remoteSocketPath is that socket's path, unless
 * TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE replaces it (a path to mount into helper containers): then,
 * as for tcp, there is no public way to tell, and the candidate is taken at its word.
 */
function hostOf(client: ContainerRuntimeClient, candidate: string): string {
  if (!candidate.startsWith('unix://') || process.env.TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE !== undefined) return candidate;
  return `unix://${client.info.containerRuntime.remoteSocketPath}`;
}

/** Find an engine that answers; never pulls, never starts one (containers/engine.sh start does). */
export async function probeEngine(timeoutMs = scaled(10_000)): Promise<EngineProbe> {
  const explicit = process.env.DOCKER_HOST;
  const candidates = explicit ? [explicit] : [ownDockerHost, SYSTEM_DOCKER_HOST];
  const tried: string[] = [];
  for (const host of candidates) {
    if (host.startsWith('unix://') && !existsSync(host.slice('unix://'.length))) {
      tried.push(`${host}: no such socket`);
      continue;
    }
    if (configuredHost !== undefined && configuredHost !== host) {
      tried.push(`${host}: this process already uses ${configuredHost}`);
      continue;
    }
    configure(host);
    try {
      const client = await withDeadline(getContainerRuntimeClient(), timeoutMs);
      // testcontainers falls through to its other strategies when DOCKER_HOST fails: a client
      // for a host that is not a candidate (an explicit DOCKER_HOST is the only one) is refused.
      const used = hostOf(client, host);
      if (!candidates.includes(used)) {
        tried.push(`${host}: does not answer`);
        continue;
      }
      return { ok: true, client, dockerHost: used, description: `engine ${client.info.containerRuntime.serverVersion} at ${used}` };
    } catch (e) {
      tried.push(`${host}: ${e instanceof Error && /working container runtime/.test(e.message) ? 'does not answer' : String(e)}`);
    }
  }
  return { ok: false, reason: `no container engine answers (${tried.join('; ')})` };
}
