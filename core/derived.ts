/**
 * Facts derived from an object of one analysis (the model, a RUN step), computed on first use and
 * kept in the object's own `derived` store. Not in a WeakMap keyed by the object: V8's minor
 * collections keep a WeakMap's values alive (only a full collection drops them), so every analysis
 * outlived the next minor collection through these caches, was copied and then promoted to the old
 * generation. That was most of the collection time of the editor's analyses (bench/lsp.mjs).
 */
export interface Derivable {
  /** Created on first use. Present (undefined) in every object literal, so all share one shape. */
  derived: Map<symbol, unknown> | undefined;
}

/** `compute(key)`, once per key: later calls with the same key answer from the key's store. */
export function derivedFact<K extends Derivable, V>(name: string, compute: (key: K) => V): (key: K) => V {
  const slot = Symbol(name);
  return (key) => {
    const store = (key.derived ??= new Map());
    if (store.has(slot)) return store.get(slot) as V;
    const value = compute(key);
    store.set(slot, value);
    return value;
  };
}
