// Make the package test's scratch-project template (scratch.ts) ahead of the first `npm test`:
// ci/setup.sh runs this beside the kernel build, so its npm downloads are not on the test's clock.
import { execa } from 'execa';
import { ensureTemplate, npmFreeEnv, SCRATCH_EXTRAS } from './scratch.js';

const env = npmFreeEnv();
const t0 = performance.now();
const dir = await ensureTemplate(SCRATCH_EXTRAS, (cwd, args) => execa('npm', args, { cwd, env, extendEnv: false, reject: false, stdin: 'ignore' }));
console.log(`scratch template: ${dir} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
