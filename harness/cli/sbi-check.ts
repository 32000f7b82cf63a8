// `bootcase sbi-check`: run the SBI compliance guest on this KVM + VMM stack and print a table.
import { asmGuest, boot, parseTap, Stage, type SbiServeName } from '../index.js';
import { isKnownDeviation } from '../protocol/tap.js';
import { knownDeviations } from '../../guests/asm/sbi-deviations.js';
import { formatTable } from './timeline.js';

const SERVABLE: readonly SbiServeName[] = ['time', 'ipi', 'hsm'];

/** `--cpus N` (default 2) and `--serve time,ipi,hsm` (check the VMM's own extensions instead of KVM's). */
function parseArgs(args: string[]): { cpus: number; serve: SbiServeName[] } {
  let cpus = 2;
  let serve: SbiServeName[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--cpus' && value && /^[1-8]$/.test(value)) cpus = Number(value);
    else if (flag === '--serve' && value) {
      const names = value.split(',');
      const bad = names.filter((n) => !SERVABLE.includes(n as SbiServeName));
      if (bad.length) throw new Error(`sbi-check --serve: ${bad.join(', ')} cannot be served by the VMM (it serves ${SERVABLE.join(', ')})`);
      serve = names as SbiServeName[];
    } else throw new Error(`sbi-check: bad option ${flag ?? ''} ${value ?? ''}; usage: bootcase sbi-check [--cpus 1-8] [--serve ${SERVABLE.join(',')}]`);
    i++;
  }
  return { cpus, serve };
}

export async function sbiCheck(args: string[]): Promise<number> {
  const { cpus, serve } = parseArgs(args);
  await using stage = await Stage.start();
  await using vm = await boot(asmGuest('sbi-compliance', { vmmArgs: ['--cpus', String(cpus)], sbiServe: serve }), { stage });
  const run = await vm.result();
  const tap = parseTap(run.console);
  const spec = run.console.match(/^# spec version (\S+), impl id (.*)$/m);
  const rows = tap.points.map((p) => {
    const [ext, ...rest] = p.name.split(': ');
    const deviation = isKnownDeviation(p, knownDeviations) ? knownDeviations[p.name]!.reason : undefined;
    const result = p.skip !== undefined ? 'skip' : p.ok ? 'pass' : deviation ? 'deviation' : 'FAIL';
    const note = p.skip ?? deviation ?? (p.ok ? '' : JSON.stringify(p.diag ?? {}));
    return [String(p.id), ext ?? '', rest.join(': '), result, note];
  });
  const served = serve.length ? `; served by the VMM: ${serve.join(', ')}` : '';
  console.log(`SBI compliance of this stack: L1 ${stage.kernelRelease} KVM + bootcase VMM, ${cpus} hart(s); SBI spec ${spec?.[1] ?? '?'}, impl id ${spec?.[2] ?? '?'}${served}\n`);
  console.log(formatTable(['#', 'extension', 'check', 'result', 'note'], rows));
  const count = (r: string) => rows.filter((x) => x[3] === r).length;
  console.log(`\n${count('pass')} passed, ${count('FAIL')} failed, ${count('skip')} skipped, ${count('deviation')} known deviations; run ended: ${run.describe()}`);
  return count('FAIL') || tap.planned !== tap.points.length || run.exit !== 'shutdown' ? 1 : 0;
}
