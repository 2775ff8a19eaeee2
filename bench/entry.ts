// What the benchmark exercises: the engine exactly as the CLI runs it.
export { lint } from '../core/lint';
export { buildModel } from '../core/model';
export { rules } from '../rules/index';
