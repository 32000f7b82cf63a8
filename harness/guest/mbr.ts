// A DOS (MBR) partition table in front of a partition image, written here so building a boot
// disk needs no root, loop device or sfdisk. Layout of sector 0 (512 bytes):
//   0x1b8  disk signature (u32 LE)
//   0x1be  four 16-byte partition entries: boot flag (0x80 = bootable), CHS start (3 bytes),
//          type, CHS end (3 bytes), first LBA (u32 LE), sectors (u32 LE)
//   0x1fe  0x55 0xaa
// CHS fields say "use LBA" (0xfe 0xff 0xff), as partitioning tools write for disks past 8 GiB;
// U-Boot's part_dos and Linux read the LBA fields only.

export const SECTOR = 512;
/** First partition at 1 MiB, where fdisk and sfdisk put it. */
export const FIRST_LBA = 2048;

export interface MbrPartition {
  /** Partition type byte: 0x83 Linux. */
  type: number;
  bootable?: boolean;
}

/** The disk: sector 0 with one partition entry, zeros up to FIRST_LBA, then the partition image. */
export function mbrDisk(partition: Buffer, part: MbrPartition, signature = 0x626f6f74): Buffer {
  if (partition.length === 0 || partition.length % SECTOR) throw new RangeError(`partition image of ${partition.length} bytes is not a whole number of ${SECTOR}-byte sectors`);
  const sectors = partition.length / SECTOR;
  if (FIRST_LBA + sectors > 0xffff_ffff) throw new RangeError('partition too large for an MBR');
  const head = Buffer.alloc(FIRST_LBA * SECTOR);
  head.writeUInt32LE(signature, 0x1b8);
  const e = 0x1be;
  head[e] = part.bootable ? 0x80 : 0;
  head.set([0xfe, 0xff, 0xff], e + 1);
  head[e + 4] = part.type;
  head.set([0xfe, 0xff, 0xff], e + 5);
  head.writeUInt32LE(FIRST_LBA, e + 8);
  head.writeUInt32LE(sectors, e + 12);
  head[0x1fe] = 0x55;
  head[0x1ff] = 0xaa;
  return Buffer.concat([head, partition]);
}
