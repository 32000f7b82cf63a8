// What kvm-unit-tests.test.ts runs: describeKvmUnitTests over kut-sample (a guest of ours in
// kvm-unit-tests' format), every test of its unittests.cfg named, so the nodefault ones that
// fail (sample-fail, sample-crash) run too; one check pinned as a known deviation.
import { join } from 'node:path';
import { loadManifest } from '../../../harness/config.js';
import { describeKvmUnitTests } from '../../../harness/vitest/kut-suite.js';

describeKvmUnitTests(join(loadManifest().asmGuests, 'kut-sample'), {
  tests: ['sample-pass', 'sample-params', 'sample-skip', 'sample-fail', 'sample-crash', 'sample-highmem', 'sample-qemu-only'],
  cpus: 2,
  env: { SAMPLE_KEY: 'from the helper' },
  knownDeviations: { 'sample: fail: a check that fails': { reason: 'pinned by the test', diag: { result: 'FAIL' } } },
  knownSkips: { 'sample: skip: not on this machine': 'the sample says so' },
});
