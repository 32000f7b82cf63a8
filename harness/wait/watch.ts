// Waiting on state that grows as a run's console chunks and events arrive: each arrival calls
// notify(), and every pending wait checks its condition again then; nothing polls on a timer.
import { deferred, withDeadline } from './deadline.js';

/** until()'s rejection when the watched thing ended before `find` found anything. */
export class WatchOver extends Error {
  constructor() {
    super('ended before it was found');
  }
}

export class Watch {
  private readonly waiters = new Set<() => void>();

  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /**
   * find()'s first value other than null/undefined, tried now and at every notify(). Rejects
   * with WatchOver once over() holds and find() still has nothing, or with DeadlineExceeded
   * after `ms`.
   */
  async until<T>(find: () => T | null | undefined, over: () => boolean, ms: number): Promise<T> {
    const found = deferred<T>();
    const check = () => {
      const v = find();
      if (v !== null && v !== undefined) found.resolve(v);
      else if (over()) found.reject(new WatchOver());
    };
    this.waiters.add(check);
    check();
    try {
      return await withDeadline(found.promise, ms);
    } finally {
      this.waiters.delete(check);
    }
  }
}
