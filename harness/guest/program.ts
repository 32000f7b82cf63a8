// An L1 program run on a stage in place of our VMM (the agent's `exec` command), e.g. a peer
// VMM to compare with. The handle is the one guests get: console, waits with deadlines, kill on
// dispose, and result(): exit `report` with the program's exit status as `code`, or a
// VmmRejectedError when it could not be executed or died of a signal.
import { basename } from 'node:path';
import type { Stage } from '../stage/stage.js';
import { guest } from './guest.js';
import { StartedGuest } from './started-guest.js';

export interface ProgramInit {
  /** Absolute path in L1: a stage file (StageOptions.files) or one uploaded with Stage.upload. */
  path: string;
  args?: readonly string[];
  /** Added to the agent's environment. */
  env?: Readonly<Record<string, string>>;
  /** Deadline for the whole run, before the timeout scale (default 60 s). */
  timeoutMs?: number;
  /** For logs and artifact folders (default: the program's file name). */
  name?: string;
}

/** Start `init.path` on `stage` with stdin /dev/null and stdout + stderr on the console port. */
export async function execProgram(stage: Stage, init: ProgramInit): Promise<StartedGuest> {
  const args = [...(init.args ?? [])];
  const spec = guest({ name: init.name ?? basename(init.path), image: init.path, memMiB: 0, vmmArgs: args, timeoutMs: init.timeoutMs ?? 60_000 });
  const started = new StartedGuest(spec, stage, [init.path, ...args], false, spec.name);
  await started.launch(async () => (runId) => stage.execRun(runId, init.path, args, init.env));
  return started;
}
