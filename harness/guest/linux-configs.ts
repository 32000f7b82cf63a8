// The Linux guest configurations by name (linuxGuest({ config }), BOOTCASE_GUEST_CONFIG, the
// matrix's guestConfig). All boot the same kernel, the default L1's (images/kernels/
// l1-and-guest.config): a configuration is the console it boots with, not a kernel build, so a
// cold start compiles one kernel.
export interface LinuxGuestConfig {
  /** The kernel's console: the 16550 (ttyS0), or hvc0, which in our kernel is the virtio-console. */
  console: 'ttyS0' | 'hvc0';
  /** Give the guest a virtio-console device (--virtio-console). */
  virtioConsole: boolean;
}

export const LINUX_GUEST_CONFIGS = {
  tiny: { console: 'ttyS0', virtioConsole: false },
  /** Every console byte through the VMM's virtqueues: console=hvc0 (no SBI hvc in the kernel). */
  'virtio-console': { console: 'hvc0', virtioConsole: true },
} as const satisfies Record<string, LinuxGuestConfig>;

export type LinuxGuestConfigName = keyof typeof LINUX_GUEST_CONFIGS;

/** The configuration names, for the manifest and the matrix's checks. */
export const LINUX_CONFIGS = Object.keys(LINUX_GUEST_CONFIGS) as LinuxGuestConfigName[];
