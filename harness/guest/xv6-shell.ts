// Talking to a user-built xv6 at its shell: boot to the prompt, type a line, read what the
// command printed. Every timeout here is before the timeout scale: the waits scale it once.
import { boot } from '../boot.js';
import { scaled } from '../config.js';
import type { Stage } from '../stage/stage.js';
import type { StartedGuest } from './started-guest.js';
import { xv6Guest, xv6Hint, type Xv6GuestInit } from './xv6.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The L1 stage boot (a test's first run pays it) and the run's end and disposal, before scaling. */
const STAGE_BOOT_MS = 30_000;
const RUN_END_MS = 20_000;

/**
 * vitest's timeout for a test whose xv6 run has the deadline `runMs`: longer than everything
 * the harness waits for, so a slow or stuck run ends in the harness's own error, with the
 * console tail and the artifact folder, and never in vitest's bare "Test timed out".
 */
export function xv6TestTimeout(runMs: number): number {
  return scaled(runMs + STAGE_BOOT_MS + RUN_END_MS) + 10_000;
}

/**
 * Type a line at the xv6 shell and wait for the next prompt; returns what the command printed
 * (the console after the echo of the line, up to the prompt). Only console output that comes
 * after the line was typed counts, so an earlier prompt or echo cannot satisfy the wait.
 */
export async function xv6Sh(vm: Pick<StartedGuest, 'console' | 'input' | 'waitForLine'>, line: string, timeoutMs = 60_000, echo = line): Promise<string> {
  const before = vm.console.length;
  vm.input(`${line}\n`);
  const m = await vm.waitForLine(new RegExp(`^[\\s\\S]{${before}}[\\s\\S]*?${escape(echo)}\\n([\\s\\S]*)\\$ $`), { timeoutMs });
  return m[1] ?? '';
}

/**
 * Boot xv6 to its first shell prompt. A kernel that panics on its disk gets the reason added
 * to the harness's error (xv6Hint: the virtio-mmio version it wanted).
 */
export async function bootXv6(init: Xv6GuestInit & { timeoutMs: number }, stage: Stage): Promise<StartedGuest> {
  const spec = xv6Guest(init);
  const vm = await boot(spec, { stage });
  try {
    await vm.waitForLine(/xv6 kernel is booting/, { timeoutMs: 30_000 });
    await vm.waitForLine(/\n\$ $/, { timeoutMs: 90_000 });
  } catch (e) {
    const hint = xv6Hint(vm.console, spec.virtioTransport);
    await vm[Symbol.asyncDispose]();
    if (hint && e instanceof Error) e.message = `${hint}\n${e.message}`;
    throw e;
  }
  return vm;
}
