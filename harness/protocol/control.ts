// Encoder for the agent's control port (docs/protocol.md, "Control port").

function field(s: string): string {
  if (/[\t\n]/.test(s)) throw new Error(`control field may not contain TAB or LF: ${JSON.stringify(s)}`);
  return s;
}

export const control = {
  run: (id: number, args: readonly string[]) => Buffer.from(['run', String(id), ...args.map(field)].join('\t') + '\n'),
  kill: (id: number) => Buffer.from(`kill\t${id}\n`),
  put: (path: string, bytes: Buffer) => Buffer.concat([Buffer.from(`put\t${field(path)}\t${bytes.length}\n`), bytes]),
  poweroff: () => Buffer.from('poweroff\n'),
};
