// A failed boot's evidence in the vitest report itself (context.annotate), not only in the error
// text: the artifact paths, where the harts were, and the console tail as an attachment, so a
// reporter (JUnit, the HTML UI, CI annotations) shows them next to the failing test.
import type { TestContext } from 'vitest';
import type { RunEvidence } from '../errors.js';

export function annotateEvidence(ctx: Pick<TestContext, 'annotate'>, ev: RunEvidence): Promise<unknown> {
  const harts = ev.harts ? `; harts when stopped: ${ev.harts}` : '';
  return ctx.annotate(`${ev.guest}: artifacts ${ev.artifacts.join(', ') || '(none)'}${harts}`, 'bootcase-evidence', {
    contentType: 'text/plain',
    body: ev.consoleTail || '(no console output)',
  });
}
