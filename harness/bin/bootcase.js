#!/usr/bin/env node
// `bootcase` CLI entry. It runs the CLI in this process, so a signal sent to `bootcase` (a
// terminal's Ctrl-C, a CI runner's SIGTERM, a closed terminal's SIGHUP) reaches the CLI's own
// handlers, which stop the run and QEMU and exit with the run's status: there is no child to
// orphan. The published package runs its compiled JS (dist/); this repository, which ships no
// dist, runs the TypeScript sources through tsx (a devDependency, never needed once installed).
import { existsSync } from 'node:fs';

const source = new URL('../cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../../dist/harness/cli/main.js', import.meta.url).href);
}
