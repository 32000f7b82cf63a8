// Evidence of a run on disk: the guest console transcript, the exit-reason event log, and the
// L1 stage log. Written when a run fails (and always with BOOTCASE_KEEP_ARTIFACTS=1); errors name
// these paths so a CI log points straight at them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { config } from '../config.js';

export interface RunEvidenceFiles {
  console: string;
  events: string;
  stageLog: string;
  argv: readonly string[];
}

/** The files of one run's evidence folder (vitest/fresh-artifacts.ts knows a folder by them). */
export const EVIDENCE_FILES = ['console.log', 'events.jsonl', 'stage.log', 'argv.json'] as const;

let seq = 0;

export function writeArtifacts(label: string, ev: RunEvidenceFiles): string[] {
  const slug = label.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  const dir = join(config.artifactsDir, `${slug}-${process.pid}-${++seq}`);
  mkdirSync(dir, { recursive: true });
  const files: Record<(typeof EVIDENCE_FILES)[number], string> = {
    'console.log': ev.console,
    'events.jsonl': ev.events,
    'stage.log': ev.stageLog,
    'argv.json': JSON.stringify(ev.argv, null, 2) + '\n',
  };
  return Object.entries(files).map(([name, body]) => {
    const path = join(dir, name);
    writeFileSync(path, body);
    return path;
  });
}
