import { describe, expect, test } from 'vitest';
import { parseTap } from './tap.js';

describe('parseTap', () => {
  test('points, diagnostics, skips and the plan, amid kernel log lines', () => {
    const r = parseTap(`[    0.1] virtio_blk virtio0: [vda] 2048 512-byte logical blocks
BOOTCASE-READY uptime_ms=512
TAP version 14
ok 1 - CPU count matches --cpus
not ok 2 - disk mounts
  ---
  message: "mount /dev/vda: No such device"
  ...
ok 3 - HSM suspend # SKIP extension absent
1..3
`);
    expect(r.planned).toBe(3);
    expect(r.points).toEqual([
      { id: 1, ok: true, name: 'CPU count matches --cpus' },
      { id: 2, ok: false, name: 'disk mounts', diag: { message: 'mount /dev/vda: No such device' } },
      { id: 3, ok: true, name: 'HSM suspend', skip: 'extension absent' },
    ]);
  });

  test('no TAP at all gives no points', () => {
    expect(parseTap('Kernel panic - not syncing: VFS\n').points).toEqual([]);
  });
});
