// A minimal QMP client (QEMU's JSON monitor) for the one thing the harness asks of a running
// QEMU: save its state (snapshot.ts). Commands go one at a time; QEMU answers them in order,
// with asynchronous events (lines with "event") in between, which are skipped. Every wait is
// bounded by the deadline given at connect.
import { connect, type Socket } from 'node:net';
import { deferred, withDeadline } from '../wait/deadline.js';
import { lineSplitter } from './channels.js';

export interface Qmp {
  cmd(execute: string, args?: object): Promise<unknown>;
  /** Ask `poll` every 20 ms until it says true (or throws), within the deadline. */
  until(poll: () => Promise<boolean>): Promise<void>;
  /** A new deadline, ms from now, for what follows (the clean-up after a wait that ran out). */
  deadline(ms: number): void;
  close(): void;
}

export async function qmpConnect(path: string, ms: number): Promise<Qmp> {
  let end = performance.now() + ms;
  const left = () => Math.max(1, end - performance.now());
  const sock: Socket = connect(path);
  const replies: Array<ReturnType<typeof deferred<Record<string, unknown>>>> = [];
  const greeting = deferred<void>();
  sock.on('error', (e) => {
    greeting.reject(e);
    for (const r of replies.splice(0)) r.reject(e);
  });
  sock.on('data', lineSplitter((line) => {
    if (!line.trim()) return;
    const msg = JSON.parse(line) as Record<string, unknown>;
    if ('QMP' in msg) greeting.resolve();
    else if (!('event' in msg)) replies.shift()?.resolve(msg);
  }));
  const cmd = async (execute: string, args?: object) => {
    const r = deferred<Record<string, unknown>>();
    replies.push(r);
    sock.write(JSON.stringify(args ? { execute, arguments: args } : { execute }) + '\n');
    const msg = await withDeadline(r.promise, left());
    if (msg.error) throw new Error(`QMP ${execute}: ${(msg.error as { desc?: string }).desc ?? JSON.stringify(msg.error)}`);
    return msg.return;
  };
  try {
    await withDeadline(greeting.promise, left());
    await cmd('qmp_capabilities');
  } catch (e) {
    sock.destroy();
    throw e;
  }
  return {
    cmd,
    async until(poll) {
      while (!(await poll())) {
        if (performance.now() > end) throw new Error(`QMP: not done within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    deadline(next) {
      end = performance.now() + next;
      ms = next;
    },
    close: () => sock.destroy(),
  };
}
