/**
 * Finding and reading Dockerfiles. Every failure becomes one clear message. Reads are bounded by
 * the bytes actually read (a size can lie: /proc files, a growing file), and only regular files are
 * opened: a FIFO would block forever and a device would never end.
 */
import { InputError, readRegularFile } from '../host/read-file';

export { InputError, readRegularFile } from '../host/read-file';

/** Larger files are not Dockerfiles anyone maintains by hand; refusing them keeps memory bounded. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

export { discover, type Discovery, type DiscoverOptions } from './discover';

const mib = (bytes: number) => `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads a Dockerfile as text, or explains why it cannot. */
export function readDockerfile(path: string): string {
  return decodeDockerfile(path, readRegularFile(path, MAX_FILE_BYTES));
}

export function decodeDockerfile(path: string, bytes: Buffer): string {
  // Anywhere in the file: a NUL past the first block still makes it binary, and BuildKit rejects it.
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new InputError(path, `binary file (NUL byte at offset ${nul}), not a Dockerfile`);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InputError(path, `not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)})`);
  }
}

/** Standard input, at most `limit` bytes: `yes | xlint --stdin` stops at the limit with a message. */
export async function readStdin(limit = MAX_FILE_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    total += (chunk as Buffer).length;
    // Leaving the loop destroys the stream: the writer gets EPIPE instead of filling our memory.
    if (total > limit) throw new InputError('<stdin>', `standard input too large (more than ${mib(limit)} read; the limit is ${mib(limit)}); stopped reading`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >> 5 === 0b110 ? 2 : b >> 4 === 0b1110 ? 3 : b >> 3 === 0b11110 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) if (i + k >= bytes.length || bytes[i + k] >> 6 !== 0b10) return i;
    i += length;
  }
  return i;
}
