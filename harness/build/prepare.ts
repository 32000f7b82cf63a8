// Get the toolchain container ready for a test run: an engine (containers/engine.sh start: reuse
// one, or install docker.io and start bootcase's dockerd as root) and the current image
// (containers/build-image.sh: cached, loaded from the saved tarball, or made by mmdebstrap).
// "Cannot be done on this machine" (exit 3: not root, no apt, no engine) is a skip reason, not an
// error; anything else that fails is an error, with the scripts' output.
// While prepared, this process holds a lease on bootcase's dockerd (see containers/engine.sh): the
// last test process to finish stops a dockerd a test started; a dockerd started by hand stays up.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../config.js';
import { engineDir } from './engine.js';
import { DeadlineExceeded, withDeadline } from '../wait/deadline.js';

export interface PreparedToolchain {
  /** false: the container part cannot run here, and `reason` says why. */
  ok: boolean;
  reason: string;
  /** This call started bootcase's dockerd (informative: release() stops it when the last user is done). */
  engineStarted: boolean;
  /** How the image came to be there: cached (already current), loaded (tarball) or built. */
  image?: 'cached' | 'loaded' | 'built';
  ms: number;
  /** Drop the lease; stop a test-started dockerd if no other process holds a lease (the image stays). */
  release(): Promise<void>;
}

const CANNOT_HERE = 3;

function keyValues(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.split('\n').flatMap((l) => (/^[A-Z_]+=/.test(l) ? [[l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]] : [])));
}

/**
 * Run a containers/ script in its own process group, so that a deadline ends mmdebstrap & co. too.
 * Its stderr (what it does, and a progress line every 15 s during an mmdebstrap) is echoed as it comes.
 */
async function script(name: string, args: string[], timeoutMs: number) {
  const child = execa('bash', [join(repoRoot, 'containers', name), ...args], { reject: false, stdin: 'ignore', detached: true });
  child.stderr?.on('data', (b: Buffer) => process.stderr.write(b));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  let r;
  try {
    r = await withDeadline(child, timeoutMs);
  } catch (e) {
    if (!(e instanceof DeadlineExceeded)) throw e;
    killGroup('SIGTERM'); // build-image.sh traps it: unmounts /proc, removes its rootfs
    await withDeadline(child, 20_000).catch(() => killGroup('SIGKILL'));
    throw new Error(`containers/${[name, ...args].join(' ')} did not finish within ${timeoutMs} ms`);
  }
  const stderr = (r.stderr ?? '').trim();
  return { exitCode: r.exitCode, stdout: r.stdout ?? '', stderr, lastLine: stderr.split('\n').pop() ?? '' };
}

const lease = join(engineDir, 'leases', String(process.pid));

async function takeLease(): Promise<void> {
  try {
    await mkdir(join(engineDir, 'leases'), { recursive: true });
    await writeFile(lease, '');
  } catch {
    // an unwritable cache: there is no bootcase dockerd to share then
  }
}

export async function prepareToolchainContainer(opts: { timeoutMs: number }): Promise<PreparedToolchain> {
  const t = Date.now();
  const left = () => Math.max(1_000, opts.timeoutMs - (Date.now() - t));
  await takeLease(); // before engine.sh start: a concurrent stop then sees this process
  const dropLease = () => rm(lease, { force: true });
  const start = await script('engine.sh', ['start', '--autostop'], left());
  if (start.exitCode === CANNOT_HERE) return { ok: false, reason: start.lastLine, engineStarted: false, ms: Date.now() - t, release: dropLease };
  if (start.exitCode !== 0) {
    await dropLease();
    throw new Error(`containers/engine.sh start failed (exit ${start.exitCode}):\n${start.stderr}`);
  }
  const engineStarted = keyValues(start.stdout).BOOTCASE_ENGINE_STARTED === '1';
  // The last user stops a dockerd that a test started (--autostop); one started by hand stays.
  const release = async () => {
    await dropLease();
    await script('engine.sh', ['stop', '--if-unused'], 30_000);
  };
  try {
    const build = await script('build-image.sh', [], left());
    if (build.exitCode === CANNOT_HERE) {
      await release();
      return { ok: false, reason: build.lastLine, engineStarted: false, ms: Date.now() - t, release: async () => {} };
    }
    if (build.exitCode !== 0) throw new Error(`containers/build-image.sh failed (exit ${build.exitCode}):\n${build.stderr}`);
    const image = keyValues(build.stdout).SOURCE as PreparedToolchain['image'];
    return { ok: true, reason: `engine ${engineStarted ? 'started' : 'reused'}, image ${image}`, engineStarted, image, ms: Date.now() - t, release };
  } catch (e) {
    await release();
    throw e;
  }
}
