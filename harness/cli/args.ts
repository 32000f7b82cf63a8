// The one argument parser of the CLI: every subcommand declares its options here as data, so
// each gets the same `--help`, the same one-line errors and the same number checks (exit 2).
import { BootcaseError } from '../errors.js';

/** A bad command line: the message is one line, and the CLI exits with status 2. */
export class UsageError extends BootcaseError {
  override readonly code = 'USAGE';
}

interface Common {
  help: string;
}
/** `--name VALUE`; `multiple` makes it repeatable (string[]), `choices` limits it. */
export interface StringOpt extends Common {
  type: 'string';
  metavar: string;
  multiple?: boolean;
  choices?: readonly string[];
}
/** A whole decimal number in [min, max]: `abc`, `1.5`, `-1` and `0x10` are refused. */
export interface IntOpt extends Common {
  type: 'int';
  metavar: string;
  min?: number;
  max?: number;
}
/** `--name a,b,c`, each one of `choices`. */
export interface ListOpt extends Common {
  type: 'list';
  metavar: string;
  choices: readonly string[];
}
export interface FlagOpt extends Common {
  type: 'boolean';
}
export type OptSpec = StringOpt | IntOpt | ListOpt | FlagOpt;

export interface CommandSpec {
  /** `run`, `list`: the subcommand as typed. */
  name: string;
  /** How errors and help name the program: default `bootcase <name>` (a script: `npm run soak --`). */
  prog?: string;
  summary: string;
  /** Positional arguments in order; a `?` suffix (`IMAGE?`) makes one optional, a last `...` (`FILES...`) takes the rest. */
  positionals?: readonly string[];
  options: Record<string, OptSpec>;
  /** Arguments after `--` are handed on unparsed (`rest`); `passthrough` says what they are. */
  passthrough?: string;
  /** More text for `--help`, after the options. */
  details?: string;
}

type ValueOf<O extends OptSpec> = O extends IntOpt ? number : O extends FlagOpt ? boolean : O extends ListOpt ? string[] : O extends { multiple: true } ? string[] : string;

export interface Parsed<C extends CommandSpec> {
  values: { -readonly [K in keyof C['options']]?: ValueOf<C['options'][K]> };
  positionals: string[];
  rest: string[];
}

/** `{ help: true }` for `-h`/`--help` anywhere before `--` (print helpText and exit 0). */
export type ParseOutcome<C extends CommandSpec> = ({ help: false } & Parsed<C>) | { help: true };

function checkInt(cmd: string, flag: string, o: IntOpt, raw: string): number {
  const range = o.max !== undefined ? `${o.min ?? 0}..${o.max}` : `>= ${o.min ?? 0}`;
  if (!/^\d+$/.test(raw)) throw new UsageError(`${cmd}: ${flag} wants a whole number ${o.metavar} (${range}), got "${raw}"`);
  const n = Number(raw);
  if (n < (o.min ?? 0) || (o.max !== undefined && n > o.max) || !Number.isSafeInteger(n)) {
    throw new UsageError(`${cmd}: ${flag} ${raw} is out of range (${range})`);
  }
  return n;
}

function checkChoice(cmd: string, flag: string, choices: readonly string[] | undefined, v: string): string {
  if (choices && !choices.includes(v)) throw new UsageError(`${cmd}: ${flag} ${v || '""'} is not one of ${choices.join(', ')}`);
  return v;
}

export function parse<C extends CommandSpec>(spec: C, argv: readonly string[]): ParseOutcome<C> {
  const cmd = progName(spec);
  const dash = argv.indexOf('--');
  const args = dash >= 0 ? argv.slice(0, dash) : argv;
  const rest = dash >= 0 ? argv.slice(dash + 1) : [];
  if (args.includes('--help') || args.includes('-h')) return { help: true };
  if (dash >= 0 && !spec.passthrough) throw new UsageError(`${cmd}: takes no arguments after --`);
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  const unknown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const name = flag.replace(/^--?/, '');
    const o = flag.startsWith('--') ? spec.options[name] : undefined;
    if (!o) {
      unknown.push(flag);
      continue;
    }
    if (o.type === 'boolean') {
      if (eq > 0) throw new UsageError(`${cmd}: ${flag} takes no value`);
      values[name] = true;
      continue;
    }
    let raw: string;
    if (eq > 0) raw = arg.slice(eq + 1);
    else {
      const next = args[i + 1];
      // `--mem --cpus 2` is a forgotten value, not a memory size named "--cpus"
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`${cmd}: ${flag} needs a value (${o.metavar})`);
      raw = next;
      i++;
    }
    const multiple = o.type === 'string' && o.multiple;
    if (name in values && !multiple) throw new UsageError(`${cmd}: ${flag} is given more than once`);
    if (o.type === 'int') values[name] = checkInt(cmd, flag, o, raw);
    else if (o.type === 'list') values[name] = raw.split(',').map((v) => checkChoice(cmd, flag, o.choices, v));
    else if (multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), checkChoice(cmd, flag, o.choices, raw)];
    else values[name] = checkChoice(cmd, flag, o.choices, raw);
  }
  if (unknown.length) {
    throw new UsageError(`${cmd}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (see ${cmd} --help)`);
  }
  const wanted = spec.positionals ?? [];
  const required = wanted.filter((p) => !p.endsWith('?') && !p.endsWith('...'));
  if (positionals.length < required.length) throw new UsageError(`${cmd}: missing ${required.slice(positionals.length).join(' ')} (see ${cmd} --help)`);
  if (positionals.length > wanted.length && !wanted.at(-1)?.endsWith('...')) throw new UsageError(`${cmd}: unexpected argument ${positionals[wanted.length]}`);
  return { help: false, values: values as Parsed<C>['values'], positionals, rest };
}

const progName = (spec: CommandSpec) => spec.prog ?? `bootcase ${spec.name}`;

export function usageLine(spec: CommandSpec): string {
  const pos = (spec.positionals ?? []).map((p) => (p.endsWith('?') ? `[${p.slice(0, -1)}]` : p.endsWith('...') ? `[${p}]` : p));
  const opts = Object.keys(spec.options).length ? ['[options]'] : [];
  const pass = spec.passthrough ? ['[-- ...]'] : [];
  return [progName(spec), ...pos, ...opts, ...pass].join(' ');
}

export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const left = `  --${name}${o.type === 'boolean' ? '' : ` ${o.metavar}`}`;
    const choices = o.type === 'list' || (o.type === 'string' && o.choices) ? ` (${o.type === 'list' ? 'comma-separated: ' : ''}${o.choices!.join(', ')})` : '';
    const range = o.type === 'int' ? ` (${o.min ?? 0}..${o.max ?? 'any'})` : '';
    const again = o.type === 'string' && o.multiple ? ' (repeatable)' : '';
    return [left, `${o.help}${choices}${range}${again}`] as const;
  });
  rows.push(['  -h, --help', 'this help']);
  const w = Math.max(...rows.map(([l]) => l.length));
  const lines = [`usage: ${usageLine(spec)}`, '', spec.summary, '', 'options:', ...rows.map(([l, r]) => `${l.padEnd(w)}  ${r}`)];
  if (spec.passthrough) lines.push(`  -- ...${' '.repeat(Math.max(0, w - 8))}  ${spec.passthrough}`);
  if (spec.details) lines.push('', spec.details);
  return lines.join('\n');
}
