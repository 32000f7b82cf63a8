import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { stageInitramfs } from './stage.js';

test('the stage initramfs carries the L1 modules as /modules/NN-<name>.ko, numbered in load order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stage-initramfs-'));
  const file = (name: string, body: string) => {
    writeFileSync(join(dir, name), body);
    return join(dir, name);
  };
  const vmm = file('vmm', `fake vmm ${dir}`);
  const cpio = stageInitramfs(vmm, [file('virtio_mmio.ko', 'mmio'), file('kvm.ko', 'kvm')], dir);
  const list = execFileSync('cpio', ['-it', '--quiet', '-F', cpio]).toString().trim().split('\n');
  expect(list.filter((p) => p.startsWith('modules'))).toEqual(['modules', 'modules/00-virtio_mmio.ko', 'modules/01-kvm.ko']);
  const out = mkdtempSync(join(tmpdir(), 'stage-initramfs-x-'));
  execFileSync('cpio', ['-id', '--quiet', '--no-absolute-filenames', '-F', cpio, 'modules/*', 'init'], { cwd: out });
  expect(readFileSync(join(out, 'modules/01-kvm.ko'), 'utf8')).toBe('kvm');
  expect(readFileSync(join(out, 'init'), 'utf8')).toBe(`fake vmm ${dir}`);
  // Another module list is another archive; none at all has no /modules.
  expect(stageInitramfs(vmm, [join(dir, 'kvm.ko')], dir)).not.toBe(cpio);
  const bare = stageInitramfs(vmm, [], dir);
  expect(execFileSync('cpio', ['-it', '--quiet', '-F', bare]).toString()).not.toContain('modules');
});
