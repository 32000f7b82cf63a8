// Build guests from the command line, with the same toolchain choice and log as the harness:
//   tsx harness/build/main.ts [--prefer auto|container|host] <dir> <out> [target...]
// e.g. tsx harness/build/main.ts guests/asm out/guests/asm hello-dbcn.elf
// Prints the result as one JSON line on stdout; the "which toolchain and why" lines go to stderr.
import { buildGuests, type ToolchainPreference } from './toolchain.js';

const args = process.argv.slice(2);
let prefer: ToolchainPreference = 'auto';
const i = args.indexOf('--prefer');
if (i >= 0) {
  prefer = args[i + 1] as ToolchainPreference;
  args.splice(i, 2);
}
const [dir, out, ...targets] = args;
if (!dir || !out || !['auto', 'container', 'host'].includes(prefer)) {
  console.error('usage: tsx harness/build/main.ts [--prefer auto|container|host] <dir> <out> [target...]');
  process.exit(2);
}
buildGuests({ dir, out, prefer, targets }).then(
  (r) => console.log(JSON.stringify(r)),
  (e: unknown) => {
    console.error(`build failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
