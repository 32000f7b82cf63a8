// A writer for the "newc" cpio format (the initramfs format Linux unpacks at boot:
// Documentation/driver-api/early-userspace/buffer-format.rst). Each entry is a 110-byte ASCII
// header of 13 eight-digit hex fields, the NUL-terminated name, then the data; both name and
// data are padded to 4 bytes. Writing it here (not with cpio(1)) lets an unprivileged user
// create /dev/console, which the kernel needs to give /init a stdout.

export type CpioEntry =
  | { path: string; type: 'file'; data: Uint8Array; mode?: number }
  | { path: string; type: 'dir'; mode?: number }
  | { path: string; type: 'char'; major: number; minor: number; mode?: number }
  | { path: string; type: 'symlink'; target: string };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFCHR = 0o020000;
const S_IFLNK = 0o120000;

const pad4 = (n: number) => (4 - (n % 4)) % 4;
const hex8 = (n: number) => n.toString(16).padStart(8, '0');

function header(ino: number, mode: number, size: number, nameLen: number, rdev: [number, number]): string {
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  // mtime stays 0 so the archive is a pure function of its entries (reproducible, cacheable).
  return '070701' + [ino, mode, 0, 0, 1, 0, size, 0, 0, rdev[0], rdev[1], nameLen, 0].map(hex8).join('');
}

/** Serialize entries (parents first) into one newc archive ending with the TRAILER!!! record. */
export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const push = (ino: number, mode: number, name: string, data: Uint8Array, rdev: [number, number] = [0, 0]) => {
    const nameBytes = Buffer.from(name + '\0');
    const head = Buffer.from(header(ino, mode, data.length, nameBytes.length, rdev), 'ascii');
    parts.push(head, nameBytes, Buffer.alloc(pad4(head.length + nameBytes.length)), Buffer.from(data), Buffer.alloc(pad4(data.length)));
  };
  entries.forEach((e, i) => {
    const name = e.path.replace(/^\/+/, '');
    if (!name) throw new Error(`cpio entry with empty path`);
    const ino = i + 1;
    switch (e.type) {
      case 'dir':
        push(ino, S_IFDIR | (e.mode ?? 0o755), name, new Uint8Array());
        break;
      case 'file':
        push(ino, S_IFREG | (e.mode ?? 0o644), name, e.data);
        break;
      case 'char':
        push(ino, S_IFCHR | (e.mode ?? 0o600), name, new Uint8Array(), [e.major, e.minor]);
        break;
      case 'symlink':
        push(ino, S_IFLNK | 0o777, name, Buffer.from(e.target));
        break;
    }
  });
  push(0, 0, 'TRAILER!!!', new Uint8Array());
  return Buffer.concat(parts);
}
