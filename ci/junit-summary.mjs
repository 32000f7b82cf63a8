// Print "N passed, N failed, N skipped" from a JUnit XML report (vitest's junit reporter).
import { readFileSync } from 'node:fs';

const xml = readFileSync(process.argv[2] ?? 'test-results/junit.xml', 'utf8');
const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
let failed = 0;
let skipped = 0;
for (const c of cases) {
  if (/<(failure|error)\b/.test(c)) failed++;
  else if (/<skipped\b/.test(c)) skipped++;
}
console.log(`${cases.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
