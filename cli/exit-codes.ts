/**
 * The one exit-code table of every `xlint` command. Each command uses the subset that applies to it
 * (`findings` is lint's 1, `failed` is verify's 1, `unavailable` is only verify's).
 */
export const EXIT = {
  /** Nothing found, or every platform passed. */
  ok: 0,
  /** Findings at or above the failure threshold, or a diff printed by `--diff`. */
  findings: 1,
  /** `xlint verify`: a platform failed its check. */
  failed: 1,
  /** Bad usage, an unreadable or malformed Dockerfile, an invalid config, an output file not written. */
  usage: 2,
  /** `xlint verify`: no usable builder, or a registry that misbehaved. */
  unavailable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
