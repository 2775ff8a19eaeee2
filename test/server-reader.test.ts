/**
 * The server's stdin message reader (server/reader.ts): every message is delivered whole and in
 * order however the bytes are split, and malformed input costs one error and nothing after it.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { contentLength, DECODE_BATCH, MAX_HEADER_BYTES, StdioMessageReader } from '../server/reader';

function reader() {
  const stream = new PassThrough();
  const r = new StdioMessageReader(stream);
  const messages: unknown[] = [];
  const errors: string[] = [];
  r.onError((e) => errors.push(e.message));
  r.listen((m) => messages.push(m));
  return { r, messages, errors, feed: (bytes: Buffer | string) => r.onData(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8')) };
}

const frame = (body: string) => Buffer.concat([Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`), Buffer.from(body, 'utf8')]);
const message = (id: number, text = 'x') => JSON.stringify({ jsonrpc: '2.0', id, method: 'm', params: { text } });

describe('stdin message reader', () => {
  it('delivers messages whole and in order, however the bytes are split (UTF-8 included)', () => {
    const text = 'é€😀 '.repeat(50);
    const bytes = Buffer.concat([frame(message(1, text)), frame(message(2)), frame(message(3, text))]);
    for (const size of [1, 2, 3, 7, 64, bytes.length]) {
      const { feed, messages, errors } = reader();
      for (let i = 0; i < bytes.length; i += size) feed(bytes.subarray(i, i + size));
      expect(errors).toEqual([]);
      expect(messages).toEqual([JSON.parse(message(1, text)), JSON.parse(message(2)), JSON.parse(message(3, text))]);
    }
  });

  it('decodes a big body in pieces, characters split across them included', () => {
    const text = 'a'.repeat(DECODE_BATCH - 20) + '€'.repeat(100) + 'b'.repeat(3 * DECODE_BATCH);
    const bytes = frame(message(1, text));
    const { feed, messages } = reader();
    for (let i = 0; i < bytes.length; i += 65536) feed(bytes.subarray(i, i + 65536));
    expect((messages[0] as { params: { text: string } }).params.text).toBe(text);
  });

  it('skips a malformed header, a body that is not JSON or not an object, and reads on at once', () => {
    const { feed, messages, errors } = reader();
    feed(
      Buffer.concat([
        Buffer.from('Content-Type: x\r\n\r\n'),
        Buffer.from('Content-Length: twelve\r\n\r\n'),
        Buffer.from('no colon here\r\n\r\n'),
        frame('{"broken": '),
        frame('null'),
        frame('[1]'),
        frame(message(1)),
      ]),
    );
    expect(messages).toEqual([JSON.parse(message(1))]);
    expect(errors).toHaveLength(6);
  });

  it('gives up on a flood without a blank line after MAX_HEADER_BYTES, once, and finds the next header', () => {
    const { feed, messages, errors } = reader();
    for (let i = 0; i < 100; i++) feed(Buffer.alloc(MAX_HEADER_BYTES, 'z'));
    feed('\r\n\r\n');
    feed(frame(message(7)));
    expect(errors).toHaveLength(1);
    expect(messages).toEqual([JSON.parse(message(7))]);
  });

  it('reads on when the connection throws on a message', () => {
    const stream = new PassThrough();
    const r = new StdioMessageReader(stream);
    const errors: string[] = [];
    const seen: unknown[] = [];
    r.onError((e) => errors.push(e.message));
    r.listen((m) => {
      seen.push(m);
      if (seen.length === 1) throw new Error('handler bug');
    });
    r.onData(Buffer.concat([frame(message(1)), frame(message(2))]));
    expect(seen).toHaveLength(2);
    expect(errors).toEqual(['handler bug']);
  });

  it('reads Content-Length case-insensitively, with other headers, and nothing else', () => {
    expect(contentLength('content-length: 12')).toBe(12);
    expect(contentLength('Content-Length: 5\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8')).toBe(5);
    expect(contentLength('Content-Length: -1')).toBeNull();
    expect(contentLength('Content-Length: 1e3')).toBeNull();
    expect(contentLength('Content-Type: x')).toBeNull();
  });
});
