// `bootcase sbi-check`: run the SBI compliance guest on this KVM + VMM stack and print a table.
import { asmGuest, boot, parseTap, Stage, type SbiServeName } from '../index.js';
import { tallyTap, tapVerdict } from '../protocol/tap.js';
import { knownDeviations } from '../../guests/asm/sbi-deviations.js';
import { formatTable } from './table.js';
import { helpText, parse } from './args.js';
import { SBI_CHECK } from './specs.js';

export async function sbiCheck(args: string[]): Promise<number> {
  const p = parse(SBI_CHECK, args);
  if (p.help) {
    console.log(helpText(SBI_CHECK));
    return 0;
  }
  const cpus = p.values.cpus ?? 2;
  const serve = (p.values.serve ?? []) as SbiServeName[];
  await using stage = await Stage.start();
  await using vm = await boot(asmGuest('sbi-compliance', { vmmArgs: ['--cpus', String(cpus)], sbiServe: serve }), { stage });
  const run = await vm.result();
  const tap = parseTap(run.console);
  const spec = run.console.match(/^# spec version (\S+), impl id (.*)$/m);
  const rows = tap.points.map((p) => {
    const [ext, ...rest] = p.name.split(': ');
    // the one rule (protocol/tap.ts), as the vitest bridge and demo judge the same points
    const verdict = tapVerdict(p, knownDeviations);
    const deviation = verdict === 'deviation' ? knownDeviations[p.name]!.reason : undefined;
    const result = verdict === 'fail' || verdict === 'stale' ? 'FAIL' : verdict;
    const stale = verdict === 'stale' ? `passed: its known deviation is stale (${knownDeviations[p.name]!.reason})` : undefined;
    const note = p.skip ?? deviation ?? stale ?? (p.ok ? '' : JSON.stringify(p.diag ?? {}));
    return [String(p.id), ext ?? '', rest.join(': '), result, note];
  });
  const served = serve.length ? `; served by the VMM: ${serve.join(', ')}` : '';
  console.log(`SBI compliance of this stack: L1 ${stage.kernelRelease} KVM + bootcase VMM, ${cpus} hart(s); SBI spec ${spec?.[1] ?? '?'}, impl id ${spec?.[2] ?? '?'}${served}\n`);
  console.log(formatTable(['#', 'extension', 'check', 'result', 'note'], rows));
  const n = tallyTap(tap, knownDeviations, run.exit);
  console.log(`\n${n.pass} passed, ${n.fail + n.stale} failed, ${n.skip} skipped, ${n.deviation} known deviations; run ended: ${run.describe()}`);
  return n.passed ? 0 : 1;
}
