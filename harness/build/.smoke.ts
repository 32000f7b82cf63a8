import { buildGuests } from '/work/main/harness/build/toolchain.js';
const prefer = (process.argv[2] ?? 'auto') as 'auto';
const r = await buildGuests({ dir: 'guests/asm', out: `/tmp/smoke-${prefer}`, prefer, targets: ['hello-dbcn.elf', 'hello-dbcn.bin'] });
console.log(JSON.stringify(r));
