/**
 * ELF headers: which machine a binary is for, and whether that is the machine of a platform.
 * Pure: bytes in, facts out.
 */
import { parsePlatform } from '../core/platform';

export interface ElfHeader {
  /** e_machine. */
  machine: number;
  bits: 32 | 64;
  endian: 'little' | 'big';
  /** ET_EXEC 2, ET_DYN 3, ET_REL 1, ET_CORE 4. */
  type: number;
}

/** What a platform's binaries look like. */
export interface ElfMachine {
  /** The platform's arch as BuildKit spells it (`amd64`). */
  arch: string;
  /** The name people use for the machine (`x86-64`). */
  name: string;
  machine: number;
  bits: 32 | 64;
  endian: 'little' | 'big';
}

export const MACHINES: readonly ElfMachine[] = [
  { arch: 'amd64', name: 'x86-64', machine: 62, bits: 64, endian: 'little' },
  { arch: 'arm64', name: 'aarch64', machine: 183, bits: 64, endian: 'little' },
  { arch: 'arm', name: 'arm', machine: 40, bits: 32, endian: 'little' },
  { arch: 'riscv64', name: 'riscv64', machine: 243, bits: 64, endian: 'little' },
  { arch: 's390x', name: 's390x', machine: 22, bits: 64, endian: 'big' },
  { arch: 'ppc64le', name: 'ppc64le', machine: 21, bits: 64, endian: 'little' },
  { arch: '386', name: '386', machine: 3, bits: 32, endian: 'little' },
];

/** e_machine values we do not expect on any platform, named for messages. */
const OTHER_MACHINES: Record<number, string> = { 8: 'mips', 20: 'ppc', 43: 'sparcv9', 258: 'loongarch' };

/** The first 20 bytes are enough; returns null when the bytes are not an ELF file. */
export function readElfHeader(bytes: Uint8Array): ElfHeader | null {
  if (bytes.length < 20 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return null;
  const bits = bytes[4] === 1 ? 32 : bytes[4] === 2 ? 64 : null;
  const endian = bytes[5] === 1 ? 'little' : bytes[5] === 2 ? 'big' : null;
  if (bits === null || endian === null) return null;
  const u16 = (at: number) => (endian === 'little' ? bytes[at] | (bytes[at + 1] << 8) : (bytes[at] << 8) | bytes[at + 1]);
  return { type: u16(16), machine: u16(18), bits, endian };
}

/** The machine a platform's binaries must have, or null for a platform we cannot judge. */
export function machineOf(platform: string): ElfMachine | null {
  const p = parsePlatform(platform);
  if (!p || p.os !== 'linux') return null;
  return MACHINES.find((m) => m.arch === p.arch) ?? null;
}

/** A readable name for what a header says (`aarch64`, `x86-64`, `ppc64 (big-endian)`). */
export function describeElf(header: ElfHeader): string {
  const known = MACHINES.find((m) => m.machine === header.machine && m.bits === header.bits);
  if (known && known.endian === header.endian) return known.name;
  if (header.machine === 21 && header.endian === 'big') return 'ppc64 (big-endian)';
  if (header.machine === 22 && header.bits === 32) return 's390 (31-bit)';
  if (header.machine === 62 && header.bits === 32) return 'x32';
  if (header.machine === 183 && header.endian === 'big') return 'aarch64_be';
  const name = known?.name ?? OTHER_MACHINES[header.machine] ?? `e_machine ${header.machine}`;
  return `${name} (${header.bits}-bit, ${header.endian}-endian)`;
}

/** Whether a header fits a platform; null when the platform is not one we check. */
export function fitsPlatform(header: ElfHeader, platform: string): boolean | null {
  const expected = machineOf(platform);
  if (!expected) return null;
  return header.machine === expected.machine && header.bits === expected.bits && header.endian === expected.endian;
}
