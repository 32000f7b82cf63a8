// One stage for a test file, started on first use. A run that left it dead (a guest that could
// not be killed) does not fail the rest of the file: the next caller gets a fresh stage.
import { Stage, type StageOptions } from './stage.js';

export class StageHolder implements AsyncDisposable {
  private readonly started: Promise<Stage>[] = [];

  constructor(private readonly options: StageOptions = {}) {}

  /** The live stage: the last one started, or a new one if there is none or it died. */
  async current(): Promise<Stage> {
    const last = this.started.at(-1);
    if (last && (await last).alive) return last;
    this.started.push(Stage.start(this.options));
    return this.started.at(-1)!;
  }

  /** Power off every stage this holder started. */
  async [Symbol.asyncDispose](): Promise<void> {
    for (const s of this.started.splice(0)) await (await s)[Symbol.asyncDispose]();
  }
}
