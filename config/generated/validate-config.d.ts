/** The ahead-of-time compiled validator of `.xlintrc.json` (see scripts/gen-docs.ts). */
export interface ValidationError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}
declare function validate(data: unknown): boolean;
declare namespace validate {
  let errors: ValidationError[] | null | undefined;
}
export default validate;
