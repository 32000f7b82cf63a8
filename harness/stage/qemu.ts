// The L1 machine: qemu-system-riscv64 "virt" under TCG with the H extension, so the riscv64
// Linux inside can run KVM. The three virtio-serial ports are the harness's only data path;
// ttyS0 (QEMU stdout) is the stage log: L1 kernel messages plus agent diagnostics.
import { join } from 'node:path';

export interface QemuSpec {
  kernel: string;
  initrd: string;
  sockDir: string;
  memMiB: number;
  append: string;
}

export function qemuArgs(spec: QemuSpec): string[] {
  const port = (id: string, name: string) => [
    '-chardev', `socket,id=${id},path=${join(spec.sockDir, `${id}.sock`)}`,
    '-device', `virtserialport,chardev=${id},name=bootcase.${name}`,
  ];
  return [
    '-M', 'virt',
    '-cpu', 'rv64,h=true',
    // One vCPU: on a 2-core host, MTTCG with 2 vCPUs is slower and noisier (probe, §6).
    '-smp', '1',
    '-m', `${spec.memMiB}M`,
    '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
    '-bios', 'default',
    // A panic or a poweroff must end the process, never reboot into a second run.
    '-no-reboot',
    '-kernel', spec.kernel,
    '-initrd', spec.initrd,
    '-append', spec.append,
    '-device', 'virtio-serial-device',
    ...port('ctl', 'ctl'),
    ...port('console', 'console'),
    ...port('events', 'events'),
  ];
}
