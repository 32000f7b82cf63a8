// Guests built in the toolchain container and with the host toolchain must come out the same.
// beforeAll readies the container side within a bounded time (containers/engine.sh start, as
// root: installs docker.io and starts bootcase's dockerd; containers/build-image.sh: the image,
// cached, loaded or made by mmdebstrap); where that cannot be done here, the container tests skip
// and say why, and the host tests still run. afterAll stops a dockerd it started.
//
// Why the ELFs are compared after normalising: guests/asm links several sources in one gcc call,
// so each .S goes through a temporary object /tmp/ccXXXXXX.o, and ld records that random name
// as an STT_FILE symbol. Two builds on the same host differ in exactly those bytes. Everything
// else, including the flat .bin images, must be identical byte for byte.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot, scaled } from '../config.js';
import { ToolMissingError } from '../errors.js';
import { checkImage, memoryMap } from '../native/addon.js';
import { probeEngine } from './engine.js';
import { ToolchainImageError } from './errors.js';
import { TOOLCHAIN_IMAGE } from './image.js';
import { prepareToolchainContainer, type PreparedToolchain } from './prepare.js';
import { BUILD_LABEL, buildLabels, EXPIRES_LABEL, leftoverReason, OWNER_HOST_LABEL, OWNER_PID_LABEL } from './sweep.js';
import { buildGuests, type GuestBuild } from './toolchain.js';

const dir = join(repoRoot, 'guests/asm');
/** hello-dbcn (asm) and timer (C: -O2 codegen, where compiler versions show). */
const targets = ['hello-dbcn.elf', 'hello-dbcn.bin', 'timer.elf'];

/** gcc's temporary object names (ccXXXXXX.o, NUL-terminated in .strtab) -> a fixed name of the same length. */
function normalise(elf: Buffer): Buffer {
  return Buffer.from(elf.toString('latin1').replace(/cc[A-Za-z0-9]{6}\.o\0/g, 'ccXXXXXX.o\0'), 'latin1');
}

async function expectSameOutputs(a: string, b: string): Promise<void> {
  for (const t of targets) {
    const [x, y] = [await readFile(join(a, t)), await readFile(join(b, t))];
    if (t.endsWith('.bin')) expect(x.equals(y), `${t} differs`).toBe(true);
    else expect(normalise(x).equals(normalise(y)), `${t} differs beyond gcc's temporary object names`).toBe(true);
  }
}

let tmp: string;
let prepared: PreparedToolchain;
let host: GuestBuild;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'bootcase-build-'));
  // Cold on a fresh VM: apt docker.io ~20 s + mmdebstrap and import ~55 s; warm: about 1 s.
  prepared = await prepareToolchainContainer({ timeoutMs: 240_000 });
  console.error(`toolchain container: ${prepared.ok ? 'ready' : 'unavailable'}: ${prepared.reason} (${(prepared.ms / 1000).toFixed(1)} s)`);
}, 300_000);

afterAll(async () => {
  await prepared?.release();
  if (tmp) await rm(tmp, { recursive: true, force: true });
}, 60_000);

describe('host toolchain', () => {
  test('builds hello-dbcn and timer', async () => {
    host = await buildGuests({ dir, out: join(tmp, 'host'), prefer: 'host', targets, log: () => {} });
    expect(host.via).toBe('host');
    for (const t of targets.filter((n) => n.endsWith('.elf'))) {
      expect(checkImage(await readFile(join(tmp, 'host', t)), { ramBase: memoryMap().ramBase, ramSize: 128n << 20n }), t).toMatchObject({ ok: true, format: 'elf' });
    }
  }, 60_000);

  test('missing: the error names the Debian package and ci/setup.sh', async () => {
    const build = buildGuests({ dir, out: join(tmp, 'none'), prefer: 'host', cross: 'bootcase-no-such-', targets, log: () => {} });
    await expect(build).rejects.toThrow(ToolMissingError);
    await expect(build).rejects.toThrow('bootcase-no-such-gcc is not installed (Debian package gcc-riscv64-linux-gnu): run `bash ci/setup.sh`');
  });

  test('auto falls back to it when no engine answers, and logs why', async () => {
    const out = join(tmp, 'fallback');
    const r = await execa(join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'harness/build/main.ts'), dir, out, ...targets], {
      env: { DOCKER_HOST: `unix://${join(tmp, 'no-engine.sock')}` },
      reject: false,
      timeout: 60_000,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^build: guests\/asm via host toolchain riscv64-linux-gnu-gcc \(prefer: auto; no container engine answers \(unix:\/\/.*no-engine\.sock: no such socket\)/m);
    expect(JSON.parse(r.stdout).via).toBe('host');
    await expectSameOutputs(join(tmp, 'host'), out);
  }, 60_000);
});

describe('toolchain container', () => {
  test('builds the same bytes as the host toolchain', async (ctx) => {
    if (!prepared.ok) ctx.skip(`no container engine here: ${prepared.reason}`);
    const lines: string[] = [];
    const built = await buildGuests({ dir, out: join(tmp, 'container'), prefer: 'container', targets, log: (l) => lines.push(l) });
    expect(built.via).toBe('container');
    expect(lines[0]).toMatch(/^guests\/asm via container localhost\/bootcase-toolchain:bookworm \(prefer: container; engine .* has the current image\)$/);
    // Different Debian package versions may rightly give other bytes: say so before comparing.
    expect(built.toolchain, 'the image and the host have different toolchain packages').toBe(host.toolchain);
    await expectSameOutputs(join(tmp, 'host'), join(tmp, 'container'));
    // Stopped and removed: the engine no longer knows the container.
    const engine = await probeEngine();
    if (!engine.ok) throw new Error(engine.reason);
    expect(built.container).toMatch(/^[0-9a-f]{64}$/);
    await expect(engine.client.container.dockerode.getContainer(built.container!).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 120_000);

  test('auto picks it when an engine answers, and logs it', async (ctx) => {
    if (!prepared.ok) ctx.skip(`no container engine here: ${prepared.reason}`);
    const lines: string[] = [];
    const built = await buildGuests({ dir, out: join(tmp, 'auto'), targets: ['hello-dbcn.bin'], log: (l) => lines.push(l) });
    expect(built.via).toBe('container');
    expect(lines.join('\n')).toMatch(/via container localhost\/bootcase-toolchain:bookworm \(prefer: auto; engine \S+ at unix:\/\/\S+ has the current image\)/);
    expect((await readFile(join(tmp, 'auto/hello-dbcn.bin'))).equals(await readFile(join(tmp, 'host/hello-dbcn.bin')))).toBe(true);
  }, 120_000);

  test('a missing image: the error names containers/build-image.sh', async (ctx) => {
    if (!prepared.ok) ctx.skip(`no container engine here: ${prepared.reason}`);
    const build = buildGuests({ dir, out: join(tmp, 'none'), prefer: 'container', image: 'localhost/bootcase-no-such-image:none', log: () => {} });
    await expect(build).rejects.toThrow(ToolchainImageError);
    await expect(build).rejects.toThrow(/localhost\/bootcase-no-such-image:none is not in the engine: build it with containers\/build-image.sh/);
  }, 60_000);
});

// Ryuk is off (no registry for its image): these check that what replaces it removes every
// container a build leaves behind, the build's own and those of builds that died.
describe('no leaked build containers', () => {
  async function engineClient() {
    const engine = await probeEngine();
    if (!engine.ok) throw new Error(engine.reason);
    return engine.client;
  }
  const labelled = async () =>
    (await engineClient()).container.dockerode.listContainers({ all: true, filters: { label: [BUILD_LABEL] } });
  const gone = { statusCode: 404 };
  /** The labelled containers that are `ids` or were made by process `pid`. */
  const remaining = async (pid: number, ids: string[]) =>
    (await labelled()).filter((c) => ids.includes(c.Id) || c.Labels[OWNER_PID_LABEL] === String(pid)).map((c) => c.Id);

  test('the sweep judges a pid only on its own host, and old unlabelled containers by their age', () => {
    const now = Date.now();
    const dead = () => false;
    const other = { ...buildLabels('b', now + 60_000), [OWNER_HOST_LABEL]: 'another-host', [OWNER_PID_LABEL]: '12345' };
    expect(leftoverReason(other, now / 1000, now, dead)).toBeUndefined();
    expect(leftoverReason({ ...other, [EXPIRES_LABEL]: String(now - 5000) }, now / 1000, now, dead)).toBe('it expired 5 s ago');
    const undated = { [BUILD_LABEL]: 'made by older code' };
    expect(leftoverReason(undated, now / 1000 - 600, now, dead)).toBeUndefined();
    expect(leftoverReason(undated, now / 1000 - 2 * 3600, now, dead)).toBe('it has no expiry and is 2 h old');
  });

  test('leftovers of dead or expired builds are swept by the next build, a live one is not; none of its own remains', async (ctx) => {
    if (!prepared.ok) ctx.skip(`no container engine here: ${prepared.reason}`);
    const client = await engineClient();
    const exited = execa('true');
    await exited;
    const deadPid = exited.pid!; // nothing owns this pid now
    const leftover = async (build: string, pid: number, expires: number) => {
      const labels = { ...buildLabels(build, expires), [OWNER_PID_LABEL]: String(pid) };
      const c = await client.container.create({ Image: TOOLCHAIN_IMAGE, Cmd: ['sleep', 'infinity'], Labels: labels, HostConfig: { NetworkMode: 'none' } });
      await client.container.start(c);
      return c.id;
    };
    const hour = Date.now() + 3600_000;
    const dead = await leftover('dead-owner', deadPid, hour);
    const expired = await leftover('expired', process.ppid, Date.now() - 1000);
    const live = await leftover('live-owner', process.ppid, hour);
    try {
      const lines: string[] = [];
      const built = await buildGuests({ dir, out: join(tmp, 'swept'), prefer: 'container', targets: ['hello-dbcn.bin'], log: (l) => lines.push(l) });
      expect(built.via).toBe('container');
      expect(lines).toContain(`removed leftover build container ${dead.slice(0, 12)}: its owner pid ${deadPid} is gone`);
      expect(lines.some((l) => l.startsWith(`removed leftover build container ${expired.slice(0, 12)}: it expired`)), lines.join('\n')).toBe(true);
      // Containers of other live processes may be there too (and are left alone): look at ours.
      expect(await remaining(process.pid, [dead, expired, live, built.container!])).toEqual([live]);
    } finally {
      await client.container.dockerode.getContainer(live).remove({ force: true });
    }
  }, 120_000);

  test('a SIGKILLed build leaves a self-removing container bounded by its deadlines, which the next build sweeps', async (ctx) => {
    if (!prepared.ok) ctx.skip(`no container engine here: ${prepared.reason}`);
    const docker = (await engineClient()).container.dockerode;
    const before = new Set((await labelled()).map((c) => c.Id));
    const child = execa(join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'harness/build/main.ts'), '--prefer', 'container', dir, join(tmp, 'killed'), ...targets], {
      reject: false,
      timeout: 120_000,
      detached: true, // its own process group: a failed check below ends tsx and main.ts both
    });
    ctx.onTestFinished(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    // Its container, as soon as the engine has it (created or running, before make is done).
    let victim;
    for (const until = Date.now() + 60_000; !victim && Date.now() < until && child.exitCode === null; ) {
      victim = (await labelled()).find((c) => !before.has(c.Id));
      if (!victim) await new Promise((r) => setTimeout(r, 50));
    }
    expect(victim, 'the build made no container before it ended').toBeDefined();
    const owner = Number(victim!.Labels[OWNER_PID_LABEL]);
    expect(owner, `the container names no owner pid (labels ${JSON.stringify(victim!.Labels)})`).toBeGreaterThan(0);
    process.kill(owner, 'SIGKILL'); // the node process that runs main.ts (under tsx's own)
    await child;

    const info = await docker.getContainer(victim!.Id).inspect();
    expect(info.HostConfig.AutoRemove, 'the engine removes it once its sleep ends').toBe(true);
    // make's default deadline (300 s), the copy out (60 s) and 30 s of slack; never `infinity`.
    expect(info.Config.Cmd).toEqual(['sleep', String(Math.ceil((scaled(300_000) + scaled(60_000) + scaled(30_000)) / 1000))]);
    expect(Number(info.Config.Labels[EXPIRES_LABEL])).toBeLessThanOrEqual(Date.now() + scaled(450_000));

    // The next build sweeps it; that build fails in make, and its own container goes too.
    const lines: string[] = [];
    const failing = buildGuests({ dir, out: join(tmp, 'after-kill'), prefer: 'container', targets: ['no-such-guest.elf'], log: (l) => lines.push(l) });
    await expect(failing).rejects.toThrow(/^make in .* failed in the toolchain container/);
    expect(lines).toContain(`removed leftover build container ${victim!.Id.slice(0, 12)}: its owner pid ${owner} is gone`);
    await expect(docker.getContainer(victim!.Id).inspect()).rejects.toMatchObject(gone);
    expect(await remaining(owner, [])).toEqual([]);
    expect(await remaining(process.pid, [])).toEqual([]);
  }, 180_000);
});
