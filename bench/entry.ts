// What the benchmark exercises: the engine exactly as the CLI runs it.
export { IncrementalParser } from '../core/ast';
export { lint } from '../core/lint';
export { buildModel } from '../core/model';
export { rules } from '../rules/index';
// The parser as bundled with the engine: once the model has run, its prototypes carry core/ast.ts's
// memoizing wrappers, which the parse itself then calls through.
export { DockerfileParser as BundledParser } from 'dockerfile-ast';
