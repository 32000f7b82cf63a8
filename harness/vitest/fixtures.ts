// vitest fixtures: one persistent stage per test file, disposed after the file even when tests
// throw; `boot` runs a guest on it with the current test's name as the artifact label. If a
// test left the stage dead (a guest that could not be killed), the next boot gets a new stage,
// so one broken run does not fail the rest of the file.
import { test as base } from 'vitest';
import { boot as bootOn, type BootOptions } from '../boot.js';
import type { GuestSpec } from '../guest/guest.js';
import type { StartedGuest } from '../guest/started-guest.js';
import { StageHolder } from '../stage/holder.js';
import type { Stage, StageOptions } from '../stage/stage.js';
import { annotateEvidence } from './evidence.js';
import './matchers.js';

export interface BootcaseFixtures {
  stage: Stage;
  boot: (what: GuestSpec | string, opts?: Omit<BootOptions, 'stage'>) => Promise<StartedGuest>;
}

/** A `test` whose file-scoped stage is started with these options (disks, memory...). */
export function withStage(options: StageOptions = {}) {
  const holder = new StageHolder(options);
  return base.extend<BootcaseFixtures>({
    stage: [
      async ({}, use) => {
        await use(await holder.current());
        await holder[Symbol.asyncDispose]();
      },
      { scope: 'file' },
    ],
    // depends on `stage`, so the file's stage (and its disposal) exists; boots go to whichever
    // stage is live, a replacement if a run killed the first
    // a run that fails (deadline, crash, failed matcher) annotates this test with its evidence
    boot: async ({ stage, task, signal, annotate }, use) => {
      void stage;
      await use(async (what, opts = {}) => {
        const vm = await bootOn(what, { label: task.name, signal, ...opts, stage: await holder.current() });
        vm.onEvidence((ev) => {
          try {
            annotateEvidence({ annotate }, ev).catch(() => {});
          } catch {
            /* the test has ended (a disposal after it): its error already names the artifacts */
          }
        });
        return vm;
      });
    },
  });
}

export const test = withStage();

export { expect, describe } from 'vitest';
