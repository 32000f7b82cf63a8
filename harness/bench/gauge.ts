// How fast the host is right now. This machine is a VM on a shared host, and its CPUs' speed
// drifts over minutes: the same fixed work took 250 ms in one quarter hour and 430-870 ms in
// others, on either CPU, with no steal time reported (/proc/stat's steal column stays 0). The
// L2 boot under TCG follows it: one stage booted the L2 in 270 ms and the next in 480 ms, with
// the same number of blocks translated and invalidated (QEMU's `info jit`). So every bench run
// prints this gauge beside its figures: a run on a slow host is then seen to be one.
import { createHash } from 'node:crypto';

/** The fixed work: a chain of SHA-256 over 32 bytes, `rounds` long. */
function work(rounds: number): void {
  let b = Buffer.alloc(32);
  for (let i = 0; i < rounds; i++) b = createHash('sha256').update(b).digest();
}

let warmed = false;

/** Milliseconds the fixed work takes now (lower is faster). The first call warms up V8 first. */
export function hostGauge(rounds = 50_000): number {
  if (!warmed) {
    work(rounds);
    warmed = true;
  }
  const t = performance.now();
  work(rounds);
  return performance.now() - t;
}
