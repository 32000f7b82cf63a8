// The stage log: QEMU's serial console and stderr (the L1 kernel and the agent), kept as the
// last MAX_LINES lines for error messages and the stage.log artifact.
import { config } from '../config.js';

const MAX_LINES = 5000;

export class StageLog {
  private lines: string[] = [];
  private partial = '';

  append(text: string): void {
    if (config.verbose) process.stderr.write(text);
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.map((l) => l.replace(/\r$/, '')));
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  get text(): string {
    return [...this.lines, this.partial].join('\n');
  }

  tail(lines = 40): string {
    return [...this.lines, this.partial].slice(-lines).join('\n');
  }
}
