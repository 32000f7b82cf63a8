// Host ends of the three virtio-serial ports (docs/protocol.md). The harness listens on unix
// sockets and QEMU connects to them as a client when it starts, so no byte can be written
// before we are there to read it, and no polling for a socket file is needed.
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

export const PORTS = ['ctl', 'console', 'events'] as const;
export type PortName = (typeof PORTS)[number];

export interface Channel {
  readonly path: string;
  /** Resolves with the socket once QEMU has connected. */
  readonly connected: Promise<Socket>;
  close(): void;
}

function listen(path: string): Promise<Channel> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    let socket: Socket | undefined;
    const connected = new Promise<Socket>((ok) => {
      server.once('connection', (s) => {
        socket = s;
        server.close(); // one peer per port; stop accepting
        ok(s);
      });
    });
    connected.catch(() => {});
    server.once('error', reject);
    server.listen(path, () =>
      resolve({
        path,
        connected,
        close() {
          socket?.destroy();
          server.close();
        },
      }),
    );
  });
}

export async function openChannels(dir: string): Promise<Record<PortName, Channel>> {
  const [ctl, console, events] = await Promise.all(PORTS.map((p) => listen(join(dir, `${p}.sock`))));
  return { ctl: ctl!, console: console!, events: events! };
}

/** Split a byte stream into lines (without the LF); a partial last line waits for more data. */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      onLine(pending.slice(0, nl).replace(/\r$/, ''));
      pending = pending.slice(nl + 1);
    }
  };
}
