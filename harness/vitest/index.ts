// `bootcase/vitest`: what a test file imports. `test` carries the `stage` and `boot` fixtures,
// `expect` the run matchers (toHaveExited, toPrint, toEndAs), `describeTap` the TAP bridge.
// The installed package builds its VMM, guests and kernels here, on first import: while vitest
// collects the file, outside every test's deadline, with progress on stderr, so a test file may
// name a milestone (asmGuest) at its top level.
import { buildOnFirstUse } from '../config.js';
import './matchers.js';

await buildOnFirstUse();

export { test, expect, describe, withStage, type BootcaseFixtures } from './fixtures.js';
export { describeTap, fileStage, type TapSuiteOptions } from './tap-suite.js';
export type { RunExpectation } from '../run/expectation.js';
