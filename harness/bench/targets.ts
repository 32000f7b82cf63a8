// The speed targets of issue 13 §3, checked against one bench run's medians (never in a timed
// test: figures on a shared 2-core host under TCG vary too much for a verdict that can fail CI).

/** The keys the bench's results use (main.ts `add` names and sideBySideTable). */
export const KEYS = {
  l2Ours: 'side-by-side: ours host ms',
  l2Ratio: 'side-by-side: ratio host',
  helloOwnStage: 'hello-dbcn: boot() -> verdict, cold (own stage)',
  helloOwnStageRestored: 'hello-dbcn with its own stage, restored from a snapshot',
  vmmExit: 'SBI exit to VMM and back (BOOTCASE NOP)',
  bareExit: 'the same NOP exit, bare KVM_RUN loop (vmm/bench/kvm-loop.c)',
  /** The median over reps of (VMM NOP exit / bare loop exit), each rep measuring both back to back. */
  vmmOverBare: 'NOP exit: VMM / bare loop (median of per-rep ratios)',
  twoSequential: 'two stages: one after the other, ms',
  twoParallel: 'two stages: at once, ms',
  /** gauge.ts: the host's speed at the start and the end of the run, and during the L2 pairs. */
  gaugeStart: 'host gauge ms: start of the run',
  gaugeL2: 'host speed gauge: ms for 50,000 chained SHA-256 in this Node process (lower is faster)',
  gaugeEnd: 'host gauge ms: end of the run',
} as const;

interface Target {
  what: string;
  value: (r: Record<string, number>) => number;
  ok: (v: number) => boolean;
  show: (v: number) => string;
}

const TARGETS: Target[] = [
  { what: 'L2 tiny Linux run -> init >= 3x faster than the QEMU peer in the same L1', value: (r) => r[KEYS.l2Ratio]!, ok: (v) => v >= 3, show: (v) => `${v.toFixed(2)}x` },
  { what: 'L2 tiny Linux run -> init <= 300 ms', value: (r) => r[KEYS.l2Ours]!, ok: (v) => v <= 300, show: (v) => `${v.toFixed(0)} ms` },
  // the default path: a stage restored from the L1 snapshot (harness/stage/snapshot.ts); booted on an L0 without them
  { what: 'hello on its own stage (L1 start included) <= 500 ms', value: (r) => r[KEYS.helloOwnStageRestored] ?? r[KEYS.helloOwnStage]!, ok: (v) => v <= 500, show: (v) => `${v.toFixed(0)} ms` },
  { what: "the VMM's NOP exit <= 1.2x the bare KVM_RUN loop's", value: (r) => r[KEYS.vmmOverBare] ?? r[KEYS.vmmExit]! / r[KEYS.bareExit]!, ok: (v) => v <= 1.2, show: (v) => `${v.toFixed(2)}x` },
  { what: 'two stages at once take less wall time than one after the other', value: (r) => r[KEYS.twoParallel]! / r[KEYS.twoSequential]!, ok: (v) => v < 1, show: (v) => `${v.toFixed(2)}x of sequential` },
];

/**
 * One line per target: met, NOT met, or not measured (a NaN or missing figure); then how fast
 * the host was meanwhile (gauge.ts), since an absolute figure moves with it.
 */
export function targetLines(results: Record<string, number>): string[] {
  const lines = TARGETS.map((t) => {
    const v = t.value(results);
    if (v === undefined || Number.isNaN(v)) return `target "${t.what}": not measured`;
    return `target "${t.what}": ${t.ok(v) ? 'met' : 'NOT met'} (${t.show(v)})`;
  });
  const g = (k: string) => (results[k] === undefined || Number.isNaN(results[k]) ? '-' : `${results[k]!.toFixed(0)} ms`);
  lines.push(`the host meanwhile, its speed gauge (gauge.ts, lower is faster): ${g(KEYS.gaugeStart)} at the start, ${g(KEYS.gaugeL2)} during the L2 pairs (median), ${g(KEYS.gaugeEnd)} at the end`);
  return lines;
}
