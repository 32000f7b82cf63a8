// Which kernel versions a matrix deviation holds for. A distro kernel moves under us (Debian's
// trixie kernel went from 6.12.107 to 6.12.117 and fixed a KVM bug on the way), so a deviation
// tied to one names the versions it was seen on, and the matrix applies it only when the L1 it
// booted (uname -r, the stage's kernelRelease) is one of them.
//
// A spec is one or more space-separated terms, all of which must hold:
//   "6.12.107"             exactly that version ("6.12" is the whole 6.12 series)
//   "<6.12.113" ">=6.12"   a comparison (<, <=, >, >=) with missing components read as 0
// e.g. ">=6.12 <6.12.113": 6.12 kernels before 6.12.113.

const VERSION = /^\d+(\.\d+){0,2}$/;
const TERM = /^(<=|>=|<|>)?(.*)$/;

/** The version at the start of a kernel release: "6.12.107+deb13-riscv64" is [6, 12, 107]. */
export function releaseVersion(release: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** What is wrong with a spec, or undefined when it is usable. */
export function kernelSpecProblem(spec: string): string | undefined {
  const terms = spec.trim().split(/\s+/).filter(Boolean);
  if (!terms.length) return 'empty kernel version spec';
  const bad = terms.filter((t) => !VERSION.test(TERM.exec(t)![2]!));
  return bad.length ? `bad kernel version term${bad.length > 1 ? 's' : ''} ${bad.map((t) => `"${t}"`).join(', ')} (want e.g. "6.12.107", "<6.12.113", ">=6.1 <6.8")` : undefined;
}

/** Whether `spec` holds for the kernel `release` (uname -r); false for a release without a version. */
export function kernelsMatch(spec: string, release: string): boolean {
  const problem = kernelSpecProblem(spec);
  if (problem) throw new Error(problem);
  const have = releaseVersion(release);
  if (!have) return false;
  return spec
    .trim()
    .split(/\s+/)
    .every((term) => {
      const [, op, v] = TERM.exec(term)!;
      const want = v!.split('.').map(Number);
      const c = compare(have, want);
      switch (op) {
        case '<':
          return c < 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        case '>=':
          return c >= 0;
        default:
          return want.every((n, i) => have[i] === n);
      }
    });
}
