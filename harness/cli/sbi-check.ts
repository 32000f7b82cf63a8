// `bootcase sbi-check`: run the SBI compliance guest on this KVM + VMM stack and print a table.
import { asmGuest, boot, parseTap, Stage, type SbiServeName } from '../index.js';
import { tallyTap, tapVerdict } from '../protocol/tap.js';
import { knownDeviations } from '../../guests/asm/sbi-deviations.js';
import { formatTable } from './table.js';

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
