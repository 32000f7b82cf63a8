// The CLI's console: the guest's output to stdout, and stdin to the guest. On a terminal, stdin
// is raw (every key, Ctrl-C included, belongs to the guest, as on a serial line), so quitting
// needs an escape key, as QEMU's Ctrl-a x; the terminal is restored on every way out.
import type { StartedGuest } from '../guest/started-guest.js';

const CTRL_A = 0x01;
export const ESCAPE_HELP = 'Ctrl-a x quits, Ctrl-a Ctrl-a sends Ctrl-a';

/** Ctrl-a x quits; Ctrl-a Ctrl-a sends one Ctrl-a; Ctrl-a then anything else sends both bytes. */
export class EscapeFilter {
  private armed = false;

  /** The bytes of `chunk` that go to the guest, and whether the user asked to quit. */
  feed(chunk: Uint8Array): { out: Buffer; quit: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (this.armed) {
        this.armed = false;
        if (b === 0x78 || b === 0x58) return { out: Buffer.from(out), quit: true }; // x / X
        if (b !== CTRL_A) out.push(CTRL_A);
        out.push(b);
      } else if (b === CTRL_A) this.armed = true;
      else out.push(b);
    }
    return { out: Buffer.from(out), quit: false };
  }
}

interface Input extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
}

/**
 * Forward `stdin` to the guest: raw with the escape key on a terminal (`onQuit` when it is
 * pressed), as it comes when piped. Returns the detach function, which restores the terminal;
 * it also runs at process exit, so no path (an exception, process.exit) leaves it raw.
 */
export function attachInput(vm: StartedGuest, stdin: Input, onQuit: () => void): () => void {
  const raw = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  const filter = new EscapeFilter();
  const onData = (b: Buffer | string) => {
    const bytes = typeof b === 'string' ? Buffer.from(b) : b;
    if (!raw) return vm.input(bytes);
    const { out, quit } = filter.feed(bytes);
    if (out.length) vm.input(out);
    if (quit) onQuit();
  };
  let attached = true;
  const detach = () => {
    if (!attached) return;
    attached = false;
    stdin.off('data', onData);
    if (raw) stdin.setRawMode!(false);
    stdin.pause();
    process.off('exit', detach);
  };
  process.on('exit', detach);
  if (raw) stdin.setRawMode!(true);
  stdin.on('data', onData);
  stdin.resume();
  return detach;
}
