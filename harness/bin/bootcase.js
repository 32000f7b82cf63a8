#!/usr/bin/env node
// `bootcase` CLI entry: runs harness/cli/main.ts through tsx (TypeScript without a build step).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
// A terminal's Ctrl-C reaches the whole process group: the CLI stops its run and reports it as
// stopped by the user; this parent must wait for that, not die first and hand back the prompt.
process.on('SIGINT', () => {});
const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
