// Encoder for the agent's control port (docs/protocol.md, "Control port").

function field(s: string): string {
  if (/[\t\n]/.test(s)) throw new Error(`control field may not contain TAB or LF: ${JSON.stringify(s)}`);
  return s;
}

export const control = {
  run: (id: number, args: readonly string[]) => Buffer.from(['run', String(id), ...args.map(field)].join('\t') + '\n'),
  /** exec ID [NAME=VALUE]... PATH ARG...: an L1 program instead of a VMM. */
  exec: (id: number, path: string, args: readonly string[], env: Readonly<Record<string, string>> = {}) => {
    if (!path.startsWith('/')) throw new Error(`exec needs an absolute path in L1: ${path}`);
    const vars = Object.entries(env).map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`bad environment variable name ${JSON.stringify(k)}`);
      return field(`${k}=${v}`);
    });
    return Buffer.from(['exec', String(id), ...vars, field(path), ...args.map(field)].join('\t') + '\n');
  },
  kill: (id: number) => Buffer.from(`kill\t${id}\n`),
  put: (path: string, bytes: Buffer) => Buffer.concat([Buffer.from(`put\t${field(path)}\t${bytes.length}\n`), bytes]),
  /** ping TOKEN SEED: answered by a pong with TOKEN once SEED (hex) is in L1's entropy (a restored stage). */
  ping: (token: string, seed: Buffer) => Buffer.from(`ping\t${field(token)}\t${seed.toString('hex')}\n`),
  poweroff: () => Buffer.from('poweroff\n'),
};
