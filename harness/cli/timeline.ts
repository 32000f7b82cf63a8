// Render a run's boot-phase timeline as a small table.
import type { Stage } from '../stage/stage.js';
import type { RunResult } from '../run/result.js';

export function formatTimeline(stage: Stage, run: RunResult): string {
  const rows: [string, string, string][] = [
    ['stage: qemu spawned -> agent ready', `${stage.bootMs.toFixed(1)} ms`, `host (L1 kernel uptime ${stage.l1UptimeMs.toFixed(1)} ms)`],
  ];
  for (const t of run.timeline) rows.push([`run: ${t.phase}`, `+${t.atMs.toFixed(1)} ms`, t.source]);
  if (run.guestMs !== undefined) rows.push(['guest time (first KVM_RUN -> end)', `${run.guestMs.toFixed(1)} ms`, 'vmm clock']);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`).join('\n');
}
