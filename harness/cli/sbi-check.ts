// `bootcase sbi-check`: run the SBI compliance guest on this KVM + VMM stack and print a table.
import { asmGuest, boot, parseTap, Stage } from '../index.js';
import { knownDeviations } from '../../guests/asm/sbi-deviations.js';
import { formatTable } from './timeline.js';

export async function sbiCheck(args: string[]): Promise<number> {
  const cpus = args.includes('--cpus') ? Number(args[args.indexOf('--cpus') + 1]) : 2;
  await using stage = await Stage.start();
  await using vm = await boot(asmGuest('sbi-compliance', { vmmArgs: ['--cpus', String(cpus)] }), { stage });
  const run = await vm.result();
  const tap = parseTap(run.console);
  const spec = run.console.match(/^# spec version (\S+), impl id (.*)$/m);
  const rows = tap.points.map((p) => {
    const [ext, ...rest] = p.name.split(': ');
    const deviation = knownDeviations[p.name];
    const result = p.skip !== undefined ? 'skip' : p.ok ? 'pass' : deviation ? 'deviation' : 'FAIL';
    const note = p.skip ?? deviation ?? (p.ok ? '' : JSON.stringify(p.diag ?? {}));
    return [String(p.id), ext ?? '', rest.join(': '), result, note];
  });
  console.log(`SBI compliance of this stack: L1 ${stage.kernelRelease} KVM + bootcase VMM, ${cpus} hart(s); SBI spec ${spec?.[1] ?? '?'}, impl id ${spec?.[2] ?? '?'}\n`);
  console.log(formatTable(['#', 'extension', 'check', 'result', 'note'], rows));
  const count = (r: string) => rows.filter((x) => x[3] === r).length;
  console.log(`\n${count('pass')} passed, ${count('FAIL')} failed, ${count('skip')} skipped, ${count('deviation')} known deviations; run ended: ${run.describe()}`);
  return count('FAIL') || tap.planned !== tap.points.length || run.exit !== 'shutdown' ? 1 : 0;
}
