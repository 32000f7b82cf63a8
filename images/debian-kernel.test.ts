import { describe, expect, test } from 'vitest';
import { debianMirror, kconfigValue, l1Modules, modinfoDepends, moduleLoadOrder } from './debian-kernel.js';

describe('Debian distro kernel helpers', () => {
  test('the mirror is the first deb822 stanza with a full suite, never a security or updates one', () => {
    const sources = `Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://src.example/debian
Suites: bookworm

Types: deb
URIs: http://archive.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;
    expect(debianMirror([{ name: 'debian.sources', text: sources }])).toBe('http://archive.example/debian');
    expect(debianMirror([{ name: 'x.sources', text: 'Types: deb\nURIs: http://a.example/d\nSuites: bookworm\nEnabled: no\n' }])).toBeUndefined();
  });

  test('one-line sources.list entries work too', () => {
    const list = '# comment\ndeb http://sec.example/debian-security bookworm-security main\ndeb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main\n';
    expect(debianMirror([{ name: 'sources.list', text: list }])).toBe('http://m.example/debian');
    expect(debianMirror([])).toBeUndefined();
  });

  test('kconfigValue reads y, m and unset symbols', () => {
    const cfg = 'CONFIG_KVM=m\nCONFIG_VIRTIO=y\n# CONFIG_RISCV_SBI_V01 is not set\nCONFIG_NR_CPUS=64\n';
    expect(kconfigValue(cfg, 'KVM')).toBe('m');
    expect(kconfigValue(cfg, 'VIRTIO')).toBe('y');
    expect(kconfigValue(cfg, 'RISCV_SBI_V01')).toBeUndefined();
    expect(kconfigValue(cfg, 'NR_CPUS')).toBe('64');
    expect(kconfigValue(cfg, 'VIRTIO_MMIO')).toBeUndefined();
  });

  test('modinfo depends= comes from the NUL-separated .modinfo strings', () => {
    const ko = Buffer.concat([Buffer.from('\x7fELF....'), Buffer.from('\0license=GPL\0depends=virtio,virtio_ring\0name=virtio_mmio\0')]);
    expect(modinfoDepends(ko)).toEqual(['virtio', 'virtio_ring']);
    expect(modinfoDepends(Buffer.from('\0depends=\0name=kvm\0'))).toEqual([]);
    expect(modinfoDepends(Buffer.from('no modinfo'))).toEqual([]);
  });

  test('modules load after what they depend on, each once, in the order asked otherwise', () => {
    const deps: Record<string, string[]> = { virtio_mmio: ['virtio', 'virtio_ring'], virtio_console: ['virtio', 'virtio_ring'], virtio_ring: ['virtio'], virtio: [], kvm: [] };
    expect(moduleLoadOrder(['virtio_mmio', 'virtio_console', 'kvm'], (n) => deps[n]!)).toEqual(['virtio', 'virtio_ring', 'virtio_mmio', 'virtio_console', 'kvm']);
    expect(() => moduleLoadOrder(['a'], (n) => (n === 'a' ? ['b'] : ['a']))).toThrow('module dependency cycle: a -> b -> a');
  });

  test('an L1 loads its modular KVM and virtio transports, and is refused without one of them', () => {
    const distro = 'CONFIG_VIRTIO_MMIO=m\nCONFIG_VIRTIO_CONSOLE=y\nCONFIG_VIRTIO_BLK=m\nCONFIG_KVM=m\n';
    expect(l1Modules('linux-image-x', distro)).toEqual(['virtio_mmio', 'virtio_blk', 'kvm']);
    expect(l1Modules('linux-image-x', distro.replace(/=m/g, '=y'))).toEqual([]);
    expect(() => l1Modules('linux-image-x', distro.replace('CONFIG_KVM=m\n', '# CONFIG_KVM is not set\n'))).toThrow('linux-image-x: CONFIG_KVM is not set: this kernel cannot be an L1');
    expect(() => l1Modules('linux-image-x', distro.replace('CONFIG_VIRTIO_CONSOLE=y', ''))).toThrow(/CONFIG_VIRTIO_CONSOLE is not set/);
  });
});
