/**
 * Semantics-preserving speed-ups to ethereumjs, applied once per process.
 *
 * Jump-destination analysis: ethereumjs analyses a contract's code (valid JUMPDESTs,
 * PUSH values, opcode table lookups) on every call that jumps, ~12% of replay time on
 * a post-merge block. The result depends only on the code bytes and the opcode table
 * (fixed per hardfork), so it is cached per code object: the state layer hands out one
 * immutable Uint8Array per contract code, so repeated calls hit the cache. Init code
 * (new objects) simply misses.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

type Analysis = { jumps: Uint8Array; pushes: Record<number, bigint>; opcodesCached: unknown[] };
interface InterpreterLike {
  _evm: { _opcodeMap: unknown };
  _getValidJumpDestinations(code: Uint8Array): Analysis;
}

let applied: Promise<void> | undefined;

export function applyEvmPatches(): Promise<void> {
  applied ??= (async () => {
    // The interpreter module is not exported by the package; import its file directly
    // (the same module instance the EVM uses, since the URL is the same).
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@ethereumjs/evm').replace(/cjs[\\/]index\.js$/, 'esm/index.js');
    const url = pathToFileURL(entry.replace(/index\.js$/, 'interpreter.js')).href;
    const module = (await import(url)) as { Interpreter?: { prototype: InterpreterLike } };
    const proto = module.Interpreter?.prototype;
    if (proto === undefined || typeof proto._getValidJumpDestinations !== 'function') return; // a different ethereumjs: run unpatched
    const analyse = proto._getValidJumpDestinations;
    const cache = new WeakMap<Uint8Array, { table: unknown; analysis: Analysis }>();
    proto._getValidJumpDestinations = function (this: InterpreterLike, code: Uint8Array): Analysis {
      const table = this._evm._opcodeMap;
      const hit = cache.get(code);
      if (hit !== undefined && hit.table === table) return hit.analysis;
      const analysis = analyse.call(this, code);
      cache.set(code, { table, analysis });
      return analysis;
    };
  })();
  return applied;
}
