// kvm-unit-tests' test list, riscv/unittests.cfg, read as its runner reads it
// (scripts/common.bash for_each_unittest, scripts/runtime.bash run): `[name]` sections with
// file, smp, test_args, extra_params (or qemu_params), groups, arch, accel, timeout. The runner
// hands test_args to the VMM as the kernel command line (QEMU's -append) and evaluates smp in a
// shell, where $MAX_SMP is the host's CPU count; here it is the run's --cpus.
//
// What needs QEMU itself (a -cpu model, a -machine property, a device) has no meaning on this
// stack: such a test is listed with a skip reason, as the suite's runner skips a test whose
// arch or accel does not match.
import { BootcaseError } from '../errors.js';

export class KutConfigError extends BootcaseError {
  override readonly code = 'KUT_CONFIG';
}

export interface KutTest {
  name: string;
  /** The test image, as `file =` names it (relative to the cfg's folder). */
  file: string;
  /** vCPUs: `smp`, with $MAX_SMP evaluated; 1 when absent. */
  smp: number;
  /** The kernel command line (/chosen/bootargs): test_args plus any -append in extra_params. */
  bootargs: string;
  groups: string[];
  /** Guest RAM from an extra_params -m, in MiB. */
  memMiB?: number;
  /** The suite's deadline for the test, in ms (its default is 90 s). */
  timeoutMs: number;
  /** Set when this stack cannot run the test as configured; the runner reports it skipped. */
  skip?: string;
}

/** The suite's default per-test deadline (scripts/runtime.bash: 90s). */
export const KUT_DEFAULT_TIMEOUT_MS = 90_000;

/** Shell words of a cfg value: single and double quotes and backslashes, no expansion. */
export function shellWords(s: string): string[] {
  const words: string[] = [];
  let cur: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
    } else if (c === "'" || c === '"') {
      const end = s.indexOf(c, i + 1);
      if (end < 0) throw new KutConfigError(`unterminated ${c} quote in: ${s}`);
      cur = (cur ?? '') + s.slice(i + 1, end);
      i = end;
    } else if (c === '\\' && i + 1 < s.length) {
      cur = (cur ?? '') + s[++i];
    } else cur = (cur ?? '') + c;
  }
  if (cur !== undefined) words.push(cur);
  return words;
}

/** `smp = 2`, `$MAX_SMP` or `$((($MAX_SMP < 8) ? $MAX_SMP : 8))`: arithmetic only, nothing else runs. */
export function evalSmp(expr: string, maxSmp: number, where: string): number {
  let e = expr.trim().replace(/\$\{?MAX_SMP\}?/g, String(maxSmp));
  const arith = /^\$\(\((.*)\)\)$/.exec(e);
  if (arith) e = arith[1]!;
  if (!/^[\d\s()+\-*/%<>=!?:]+$/.test(e)) throw new KutConfigError(`${where}: smp = ${expr}: not a number or an arithmetic expression of $MAX_SMP`);
  let n: unknown;
  try {
    // only digits, operators and parentheses reach here (checked above)
    n = new Function(`return (${e});`)();
  } catch {
    throw new KutConfigError(`${where}: smp = ${expr}: cannot evaluate it`);
  }
  if (typeof n === 'boolean') n = Number(n);
  if (typeof n !== 'number' || !Number.isFinite(n) || Math.trunc(n) < 1) throw new KutConfigError(`${where}: smp = ${expr} gives ${String(n)}, not a vCPU count`);
  return Math.trunc(n);
}

/** `90s`, `2m`, `1h`, `30` (seconds, as coreutils timeout reads it). */
export function parseTimeout(v: string, where: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(v.trim());
  if (!m) throw new KutConfigError(`${where}: timeout = ${v}: not a duration (90s, 2m)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]!]!;
  return Math.round(Number(m[1]) * unit * 1000);
}

/** QEMU's -m: `2048`, `2048M`, `4g`, as MiB. */
function memArg(v: string, where: string): number {
  const m = /^(\d+)([MmGg]?)$/.exec(v);
  if (!m) throw new KutConfigError(`${where}: extra_params -m ${v}: not a size`);
  return Number(m[1]) * (/[Gg]/.test(m[2]!) ? 1024 : 1);
}

interface Section {
  name: string;
  line: number;
  keys: Map<string, string>;
}

function sections(text: string, path: string): Section[] {
  const out: Section[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    const head = /^\[(.*)\]$/.exec(line);
    if (head) {
      out.push({ name: head[1]!, line: i + 1, keys: new Map() });
      continue;
    }
    const kv = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue; // the suite's runner ignores what it does not match, so do we
    const cur = out.at(-1);
    if (!cur) throw new KutConfigError(`${path}:${i + 1}: ${kv[1]} before the first [test] section`);
    let value = kv[2]!;
    // a """ value runs to the closing """ (scripts/common.bash)
    if (value.startsWith('"""')) {
      const parts = [value.slice(3)];
      while (!parts.at(-1)!.includes('"""') && ++i < lines.length) parts.push(lines[i]!);
      value = parts.join('\n').replace(/"""\s*$/, '');
    }
    cur.keys.set(kv[1]!, value);
  }
  return out;
}

/** Read extra_params: -append joins the command line; -smp and -m apply; other QEMU options skip the test. */
function applyParams(t: KutTest, params: string, where: string): void {
  const w = shellWords(params);
  const unsupported: string[] = [];
  for (let i = 0; i < w.length; i++) {
    const opt = w[i]!;
    const val = w[i + 1];
    if (['-append', '-smp', '-m'].includes(opt) && val === undefined) throw new KutConfigError(`${where}: extra_params ${opt} without a value`);
    if (opt === '-append') t.bootargs = [t.bootargs, val].filter(Boolean).join(' ');
    else if (opt === '-smp') t.smp = evalSmp(val!.split(',')[0]!, t.smp, where);
    else if (opt === '-m') t.memMiB = memArg(val!, where);
    else {
      unsupported.push(val !== undefined && !val.startsWith('-') ? `${opt} ${val}` : opt);
      if (val !== undefined && !val.startsWith('-')) i++;
      continue;
    }
    i++;
  }
  if (unsupported.length) t.skip = `extra_params ${unsupported.join(' ')}: QEMU options with no equivalent on this stack`;
}

/**
 * The tests of a unittests.cfg. `maxSmp` stands for $MAX_SMP; `arch` is the build's
 * (riscv64). A test for another arch or accelerator, or needing QEMU options, gets `skip`.
 */
export function parseUnittestsCfg(text: string, opts: { path: string; maxSmp: number; arch?: string }): KutTest[] {
  const seen = new Set<string>();
  return sections(text, opts.path).map((s) => {
    const where = `${opts.path}:${s.line} [${s.name}]`;
    if (seen.has(s.name)) throw new KutConfigError(`${where}: a second test of that name`);
    seen.add(s.name);
    const file = s.keys.get('file');
    if (!file) throw new KutConfigError(`${where}: no file =`);
    const t: KutTest = {
      name: s.name,
      file,
      smp: s.keys.has('smp') ? evalSmp(s.keys.get('smp')!, opts.maxSmp, where) : 1,
      bootargs: shellWords(s.keys.get('test_args') ?? '').join(' '),
      groups: (s.keys.get('groups') ?? '').split(/\s+/).filter(Boolean),
      timeoutMs: s.keys.has('timeout') ? parseTimeout(s.keys.get('timeout')!, where) : KUT_DEFAULT_TIMEOUT_MS,
    };
    const params = s.keys.get('extra_params') ?? s.keys.get('qemu_params');
    if (params) applyParams(t, params, where);
    const arch = s.keys.get('arch');
    const accel = s.keys.get('accel');
    if (arch && arch !== (opts.arch ?? 'riscv64')) t.skip = `${arch} only`;
    else if (accel && !accel.split(',').includes('kvm')) t.skip = `${accel} only, and this stack runs KVM`;
    else if (s.keys.get('check')) t.skip = `check = ${s.keys.get('check')}: host-file checks are not made here`;
    else if (s.keys.get('disabled_if')) t.skip = `disabled_if = ${s.keys.get('disabled_if')}: a shell condition, not evaluated here`;
    return t;
  });
}
