/** What a shell command does, in the terms a cross build cares about. */
import type { ShellCommand } from './shell';

export type CommandKind = 'build' | 'install' | 'download' | 'probe' | 'cross-helper' | 'other';
export type Toolchain = 'go' | 'rust' | 'c' | 'dotnet' | 'java' | 'node' | 'python' | 'haskell';

export interface Classification {
  kind: CommandKind;
  toolchain?: Toolchain;
}

const PACKAGE_MANAGERS: Record<string, string[]> = {
  'apt-get': ['install', 'build-dep'],
  apt: ['install'],
  apk: ['add'],
  yum: ['install'],
  dnf: ['install'],
  microdnf: ['install'],
  zypper: ['install', 'in'],
};

const C_COMPILERS = new Set(['gcc', 'g++', 'cc', 'c++', 'clang', 'clang++', 'make', 'gmake', 'cmake', 'ninja', 'meson', 'configure', 'autoreconf']);
const JS_BUNDLERS = new Set(['tsc', 'esbuild', 'webpack', 'vite', 'rollup', 'parcel', 'ng', 'next']);

/** Subcommands (first non-flag argument) that make each tool a build step. */
const BUILD_SUBCOMMANDS: Record<string, { toolchain: Toolchain; subcommands: Set<string> | 'any' }> = {
  go: { toolchain: 'go', subcommands: new Set(['build', 'install', 'test']) },
  cargo: { toolchain: 'rust', subcommands: new Set(['build', 'install', 'test', 'rustc', 'zigbuild', 'auditable']) },
  rustc: { toolchain: 'rust', subcommands: 'any' },
  dotnet: { toolchain: 'dotnet', subcommands: new Set(['build', 'publish', 'restore', 'test', 'pack']) },
  mvn: { toolchain: 'java', subcommands: 'any' },
  mvnw: { toolchain: 'java', subcommands: 'any' },
  gradle: { toolchain: 'java', subcommands: 'any' },
  gradlew: { toolchain: 'java', subcommands: 'any' },
  javac: { toolchain: 'java', subcommands: 'any' },
  npm: { toolchain: 'node', subcommands: new Set(['ci', 'install', 'i', 'run', 'run-script', 'rebuild', 'pack']) },
  yarn: { toolchain: 'node', subcommands: 'any' },
  pnpm: { toolchain: 'node', subcommands: 'any' },
  bun: { toolchain: 'node', subcommands: new Set(['install', 'run', 'build']) },
  npx: { toolchain: 'node', subcommands: 'any' },
  pip: { toolchain: 'python', subcommands: new Set(['install', 'wheel']) },
  pip3: { toolchain: 'python', subcommands: new Set(['install', 'wheel']) },
  poetry: { toolchain: 'python', subcommands: new Set(['install', 'build']) },
  uv: { toolchain: 'python', subcommands: new Set(['pip', 'sync', 'build']) },
  pipenv: { toolchain: 'python', subcommands: new Set(['install', 'sync']) },
};

export function classifyCommand(command: ShellCommand): Classification {
  const name = command.name;
  if (!name) return { kind: 'other' };
  const args = command.words.slice(1).map((w) => w.value);
  const subcommand = args.find((a) => !a.startsWith('-'));

  if (name.startsWith('xx-')) return { kind: 'cross-helper' };
  if (isProbe(name, args)) return { kind: 'probe' };
  if (name in PACKAGE_MANAGERS) {
    return subcommand && PACKAGE_MANAGERS[name].includes(subcommand) ? { kind: 'install' } : { kind: 'other' };
  }
  if (name === 'curl' || name === 'wget' || (name === 'git' && subcommand === 'clone')) return { kind: 'download' };
  if (C_COMPILERS.has(name) || /^(gcc|g\+\+|clang)-\d+$/.test(name) || /-linux-gnu\w*-(gcc|g\+\+)$/.test(name)) {
    return { kind: 'build', toolchain: 'c' };
  }
  if (JS_BUNDLERS.has(name)) return { kind: 'build', toolchain: 'node' };
  // The Go toolchain's own build script, and Go projects whose build is a Go program (`go run build.go build`).
  if (name === 'make.bash' || name === 'all.bash') return { kind: 'build', toolchain: 'go' };
  if (name === 'go' && subcommand === 'run' && args.slice(args.indexOf('run') + 1).some((a) => /^(build|install|release|dist)$/.test(a))) {
    return { kind: 'build', toolchain: 'go' };
  }
  // cabal and stack, also as a cross build's wrapper (`wasm32-wasi-cabal`).
  if (/^([\w.-]+-)?(cabal|ghc)$/.test(name) ? subcommand === 'build' || subcommand === 'install' || name.endsWith('ghc') : name === 'stack' && subcommand === 'build') {
    return { kind: 'build', toolchain: 'haskell' };
  }
  if (/^python[\d.]*$/.test(name)) {
    const pipModule = args[0] === '-m' && /^pip\d?$/.test(args[1] ?? '') && /^(install|wheel)$/.test(args[2] ?? '');
    const setup = args[0] === 'setup.py' && args.some((a) => /^(build|bdist_wheel|install)/.test(a));
    const buildModule = args[0] === '-m' && args[1] === 'build';
    return pipModule || setup || buildModule ? { kind: 'build', toolchain: 'python' } : { kind: 'other' };
  }
  const tool = BUILD_SUBCOMMANDS[name];
  if (tool && (tool.subcommands === 'any' ? true : subcommand !== undefined && tool.subcommands.has(subcommand))) {
    return { kind: 'build', toolchain: tool.toolchain };
  }
  return { kind: 'other' };
}

function isProbe(name: string, args: string[]): boolean {
  switch (name) {
    case 'uname':
      return args.some((a) => a === '-m' || a === '-p' || a === '-i' || a === '--machine' || a === '-a');
    case 'arch':
      return true;
    case 'dpkg':
      return args.includes('--print-architecture');
    case 'apk':
      return args.includes('--print-arch');
    case 'rpm':
      return args.some((a) => a.includes('_arch'));
    case 'go':
      return args[0] === 'env' && args.some((a) => a === 'GOARCH' || a === 'GOHOSTARCH');
    default:
      return false;
  }
}
