import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot } from '../config.js';
import { addon, memoryMap, region } from './addon.js';

const build = (env: Record<string, string>) => spawnSync(process.execPath, [join(repoRoot, 'native/build.cjs'), '--force'], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('native addon', () => {
  test('a missing compiler or header is named with the Debian package that brings it', () => {
    const noCxx = build({ CXX: 'bootcase-no-such-g++' });
    expect(noCxx.status).toBe(1);
    expect(noCxx.stderr).toContain('native addon: no bootcase-no-such-g++ on PATH; install the Debian package g++ (apt-get install g++)');
    const noCc = build({ CC: 'bootcase-no-such-gcc' });
    expect(noCc.stderr).toContain('install the Debian package gcc (apt-get install gcc)');
    const noHeaders = build({ BOOTCASE_NODE_INCLUDE: '/nonexistent/include/node' });
    expect(noHeaders.status).toBe(1);
    expect(noHeaders.stderr).toMatch(/Node's C headers \(node_api\.h\) are not in \/nonexistent\/include\/node\. .*apt-get install libnode-dev/);
  }, 60_000);

  test('an unchanged source tree reuses its build', () => {
    addon(); // built here if the sources changed since the last build
    const r = spawnSync(process.execPath, [join(repoRoot, 'native/build.cjs')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/native\/build\/bootcase-[0-9a-f]{16}\.node$/);
    expect(r.stderr).toBe(''); // no "building" line: nothing was compiled
  }, 120_000);

  test('the memory map is layout.h: RAM after the devices, regions apart', () => {
    const map = memoryMap();
    expect(region('memory').base).toBe(map.ramBase);
    const devices = map.regions.filter((r) => r.name !== 'memory');
    for (const r of devices) expect(r.base + r.size <= map.ramBase, r.name).toBe(true);
    const sorted = [...devices].sort((a, b) => (a.base < b.base ? -1 : 1));
    for (let i = 1; i < sorted.length; i++) expect(sorted[i - 1]!.base + sorted[i - 1]!.size <= sorted[i]!.base).toBe(true);
    expect(region('virtio_mmio').size).toBe(map.virtioStride * BigInt(map.virtioSlots));
    expect(() => region('nope')).toThrow(/no region 'nope' in vmm\/include\/layout.h/);
  });

  test('checkImage refuses bad options instead of guessing', () => {
    const bytes = new Uint8Array(16);
    expect(() => addon().checkImage(bytes, { ramBase: -1n, ramSize: 1n })).toThrow(/ramBase is not a 64-bit unsigned value/);
    expect(() => addon().checkImage(bytes, { ramBase: 0n, ramSize: 1n, format: 'raw' as 'flat' })).toThrow(/format must be 'auto' or 'flat'/);
  });
});
