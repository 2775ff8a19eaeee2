/**
 * Whether to colour output. In order: `--color` / `--no-color`; then `NO_COLOR` set to anything but
 * the empty string turns colours off (no-color.org); then `FORCE_COLOR` turns them on, except when it
 * is `0` or `false` (as Node and chalk read it); last, colours when the stream is a terminal.
 */
export function useColor(flag: boolean | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  return !!stream.isTTY;
}
