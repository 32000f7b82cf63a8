// boot(): the front door. `await using vm = await boot(asmGuest('hello-dbcn'), { stage })`.
import { buildOnFirstUse, scaled } from './config.js';
import { asmGuest, contentHash, guest, loadImage, readGuestFile, traceArgs, type GuestSpec } from './guest/guest.js';
import { StartedGuest } from './guest/started-guest.js';
import { Stage } from './stage/stage.js';

export interface BootOptions {
  /** Run on this persistent stage; without one, a stage is started for this guest alone. */
  stage?: Stage;
  /** Names the artifact folder (default: the guest name). */
  label?: string;
  /** Override the guest's deadline (milliseconds, before the timeout scale). */
  timeoutMs?: number;
  /**
   * Skip the host-side image check (default true). Only for testing the VMM's own validation:
   * the VMM then sees the bad image and must refuse it with a clear error.
   */
  hostCheck?: boolean;
  /** Aborting it (vitest's `context.signal` on a test timeout) stops the run and frees the stage. */
  signal?: AbortSignal;
}

export async function boot(what: GuestSpec | string, opts: BootOptions = {}): Promise<StartedGuest> {
  await buildOnFirstUse(); // the installed package builds its VMM, guests and kernels once
  const base = typeof what === 'string' ? asmGuest(what) : what;
  const spec = opts.timeoutMs === undefined ? base : guest({ ...base, timeoutMs: opts.timeoutMs });
  // Check the image before anything boots: a bad file fails here, fast, with its name.
  const image = loadImage(spec, { check: opts.hostCheck ?? true });
  const uploads = spec.uploads.map((u) => ({ ...u, bytes: readGuestFile(u.path, `${u.flag.replace(/^--/, '')} file`) }));
  const stage = opts.stage ?? (await Stage.start());
  // The VMM's own deadline is a backstop behind the harness deadline, for a harness that died.
  const argv = ['--mem', String(spec.memMiB), '--timeout-ms', String(scaled(spec.timeoutMs) + 5000), ...traceArgs(spec), ...spec.vmmArgs];
  const started = new StartedGuest(spec, stage, argv, !opts.stage, opts.label ?? spec.name);
  try {
    await started.launch(async () => {
      const extra: string[] = [];
      for (const u of uploads) extra.push(u.flag, await stage.upload(`${spec.name}${u.flag.replace(/^-+/, '.')}`, contentHash(u.bytes), u.bytes));
      const kernel = await stage.upload(spec.name, image.sha, image.bytes);
      return (runId) => stage.startRun(runId, ['--kernel', kernel, ...extra, ...argv]);
    }, opts.signal);
  } catch (e) {
    if (!opts.stage) await stage[Symbol.asyncDispose]();
    throw e;
  }
  return started;
}
