// A run's guest console as it arrives on its own virtio-serial port: the bytes (a guest may print
// binary, e.g. `--dump-dtb -`), the text, and live followers (the CLI streams it). The port
// delivers chunks wherever the pipe split them, so a UTF-8 character can straddle two chunks:
// the text is decoded across chunk boundaries, not chunk by chunk.
import { StringDecoder } from 'node:string_decoder';

export class ConsoleLog {
  private readonly chunks: Buffer[] = [];
  private readonly decoder = new StringDecoder('utf8');
  private readonly followers = new Set<(chunk: Buffer) => void>();
  /** The console decoded as UTF-8 so far (a character still incomplete is held back). */
  text = '';
  /** Bytes received: what the VMM's end event counts (`console_bytes`). */
  bytes = 0;

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.text += this.decoder.write(chunk);
    this.chunks.push(chunk);
    for (const f of this.followers) f(chunk);
  }

  /** Follow the console live; returns an unsubscribe function. */
  follow(listener: (chunk: Buffer) => void): () => void {
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }

  get raw(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
