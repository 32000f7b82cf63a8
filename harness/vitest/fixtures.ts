// vitest fixtures: one persistent stage per test file, disposed after the file even when tests
// throw; `boot` runs a guest on it with the current test's name as the artifact label.
import { test as base } from 'vitest';
import { boot as bootOn, type BootOptions } from '../boot.js';
import type { GuestSpec } from '../guest/guest.js';
import type { StartedGuest } from '../guest/started-guest.js';
import { Stage, type StageOptions } from '../stage/stage.js';
import './matchers.js';

export interface BootcaseFixtures {
  stage: Stage;
  boot: (what: GuestSpec | string, opts?: Omit<BootOptions, 'stage'>) => Promise<StartedGuest>;
}

/** A `test` whose file-scoped stage is started with these options (disks, memory...). */
export function withStage(options: StageOptions = {}) {
  return base.extend<BootcaseFixtures>({
    stage: [
      async ({}, use) => {
        const stage = await Stage.start(options);
        await use(stage);
        await stage[Symbol.asyncDispose]();
      },
      { scope: 'file' },
    ],
    boot: async ({ stage, task }, use) => {
      await use((what, opts = {}) => bootOn(what, { label: task.name, ...opts, stage }));
    },
  });
}

export const test = withStage();

export { expect, describe } from 'vitest';
