// `bootcase list`: the milestone guests `bootcase run NAME` boots, with what each checks and
// how it must end (guests/asm/cases.ts, the table the milestone tests and `demo` use too).
import { cases, type AsmCase } from '../../guests/asm/cases.js';
import { readdirSync } from 'node:fs';
import { buildOnFirstUse, loadManifest } from '../config.js';
import { helpText, parse } from './args.js';
import { LIST } from './specs.js';
import { formatTable } from './table.js';

/** "report code 0", "shutdown (reason 1)", "fault: mmio-unmapped ..." */
export function expectedEnd(c: AsmCase): string {
  if (c.exit === 'report') return `report code ${c.code ?? 0}`;
  if (c.exit === 'shutdown' || c.exit === 'reboot') return `${c.exit}${c.reason ? ` (reason ${c.reason})` : ''}`;
  if (c.exit === 'fault' && c.fault) {
    const { kind, ...fields } = c.fault;
    const val = (v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : String(v));
    return `fault ${String(kind)} ${Object.entries(fields).map(([k, v]) => `${k} ${val(v)}`).join(', ')}`.trim();
  }
  return c.exit;
}

export function listTable(): string {
  return formatTable(['guest', 'what it checks', 'must end with'], cases.map((c) => [c.name, c.milestone, expectedEnd(c)]));
}

export async function listCommand(argv: string[]): Promise<number> {
  if (parse(LIST, argv).help) console.log(helpText(LIST));
  else {
    console.log(listTable());
    // the device, stress and SBI guests boot by name too; their tests say what they check
    await buildOnFirstUse();
    const named = new Set(cases.map((c) => c.name));
    const more = readdirSync(loadManifest().asmGuests).filter((f) => f.endsWith('.elf')).map((f) => f.slice(0, -4)).filter((n) => !named.has(n));
    if (more.length) console.log(`\nalso bootable by name (checked by guests/asm/*.test.ts): ${more.sort().join(', ')}`);
  }
  return 0;
}
