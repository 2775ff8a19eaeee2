/**
 * Reads LSP messages (`Content-Length: N` headers, then N bytes of JSON) from the server's stdin.
 * vscode-jsonrpc's stream reader does the same with three weaknesses under hostile input, which
 * this one does not have:
 * - after a malformed header it stops until more bytes arrive, so requests already received
 *   behind it can wait forever; this one reports the error and reads on;
 * - it rescans every byte received so far for the end of the headers on every chunk (quadratic
 *   in a flood without `\r\n\r\n`); this one keeps at most MAX_HEADER_BYTES of headers;
 * - it joins a message's chunks into one buffer and decodes it at once: for a 20 MB document two
 *   20 MB allocations outside the JS heap, which glibc then keeps (measured: the server's RSS
 *   stayed 18 MB higher after the document was closed); this one decodes each chunk as it comes
 *   and joins the text into pieces of DECODE_BATCH characters, each big enough for V8's
 *   large-object space, whose pages go back to the system as soon as they are collected (keeping
 *   the chunks' small strings to the end left 16 MB of ordinary heap pages behind, and joining
 *   the bytes into big buffers first left glibc's heap 10 MB larger, now and then).
 */
import { AbstractMessageReader, Disposable, type DataCallback, type Message } from 'vscode-languageserver/node';

/** Headers are a line or two; more than this without a blank line is not a header. */
export const MAX_HEADER_BYTES = 8 * 1024;
const CRLF_CRLF = Buffer.from('\r\n\r\n');
/** A big body's text is kept in pieces of this many characters (V8 keeps strings over 128 KiB apart). */
export const DECODE_BATCH = 512 * 1024;

export class StdioMessageReader extends AbstractMessageReader {
  private header: Buffer = Buffer.alloc(0);
  /** Bytes of the current body still to come; -1 while reading headers. */
  private remaining = -1;
  private decoder = new TextDecoder('utf-8');
  private parts: string[] = [];
  /** Body text decoded and not joined into a piece yet. */
  private pending: string[] = [];
  private pendingChars = 0;
  private callback: DataCallback | null = null;
  /** Skipping bytes that are no headers: said once per run of them, not per chunk. */
  private skipping = false;

  constructor(private readonly stream: NodeJS.ReadableStream) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer | string) => this.onData(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    const onError = (error: Error) => this.fireError(error);
    const onClose = () => this.fireClose();
    this.stream.on('data', onData);
    this.stream.on('error', onError);
    this.stream.on('end', onClose);
    this.stream.on('close', onClose);
    return Disposable.create(() => {
      this.callback = null;
      this.stream.off('data', onData);
      this.stream.off('error', onError);
      this.stream.off('end', onClose);
      this.stream.off('close', onClose);
    });
  }

  /** Public for tests: feeds bytes as if they came from the stream. */
  onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining < 0) {
        offset = this.readHeader(chunk, offset);
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - offset);
      const text = this.decoder.decode(chunk.subarray(offset, offset + take), { stream: true });
      this.pending.push(text);
      this.pendingChars += text.length;
      this.remaining -= take;
      offset += take;
      if (this.remaining === 0) this.deliver();
      else if (this.pendingChars >= DECODE_BATCH) this.joinPending();
    }
  }

  /** Consumes header bytes from `chunk` at `offset`; returns where it stopped. */
  private readHeader(chunk: Buffer, offset: number): number {
    // Only the last 3 bytes already held can start the blank line, so the search never rescans.
    const held = this.header.length;
    const joined = held > 0 ? Buffer.concat([this.header, chunk.subarray(offset)]) : chunk.subarray(offset);
    const end = joined.indexOf(CRLF_CRLF, Math.max(0, held - 3));
    if (end < 0) {
      if (joined.length > MAX_HEADER_BYTES) {
        if (!this.skipping) this.fireError(new Error(`no end of message headers in ${joined.length} bytes: skipping to the next header`));
        this.skipping = true;
        this.header = Buffer.from(joined.subarray(joined.length - 3));
      } else {
        this.header = Buffer.from(joined);
      }
      return chunk.length;
    }
    const consumed = end + CRLF_CRLF.length - held;
    this.header = Buffer.alloc(0);
    const length = contentLength(joined.subarray(0, end).toString('ascii'));
    if (length === null) {
      if (!this.skipping) this.fireError(new Error('a message header without a valid Content-Length: skipped'));
    } else {
      this.skipping = false;
      this.remaining = length;
      this.parts = [];
      this.pending = [];
      this.pendingChars = 0;
      if (length === 0) this.deliver();
    }
    return offset + consumed;
  }

  private joinPending(): void {
    if (this.pending.length > 0) this.parts.push(this.pending.length === 1 ? this.pending[0] : this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
  }

  private deliver(): void {
    this.pending.push(this.decoder.decode());
    this.joinPending();
    const text = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
    this.parts = [];
    this.remaining = -1;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      this.fireError(new Error(`a message that is not JSON: skipped (${(error as Error).message})`));
      return;
    }
    if (!message || typeof message !== 'object' || Array.isArray(message)) {
      this.fireError(new Error(`a message that is not a JSON-RPC object: skipped (${text.slice(0, 40)})`));
      return;
    }
    // Whatever the connection does with it, the bytes after it in this chunk are still read.
    try {
      this.callback?.(message as Message);
    } catch (error) {
      this.fireError(error);
    }
  }
}

/** The Content-Length of a header block, or null when there is no valid one. */
export function contentLength(headers: string): number | null {
  let length: number | null = null;
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) return null;
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d{1,15}$/.test(value)) return null;
    length = Number(value);
  }
  return length;
}
