// The contracts in synthetic blocks are compiled from the Solidity source in contracts/:
// recompiling it with the pinned solc (npm) gives exactly the committed bytecode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SOLC_SETTINGS, SOLC_VERSION, SYNTH_PAIR_CODE, SYNTH_TOKEN_CODE } from '../../src/synth/contracts.js';

const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

interface Compiler {
  compileContracts(): { compiler: string; contracts: Record<string, string> };
  SETTINGS: { optimizer: unknown; evmVersion: string; metadata: unknown };
}

test('recompiling contracts/*.sol with solc gives the committed bytecode', async () => {
  const compiler = (await import(pathToFileURL(join(repo, 'contracts', 'compile.mjs')).href)) as Compiler;
  const { compiler: version, contracts } = compiler.compileContracts();
  assert.equal(version, SOLC_VERSION, 'the compiler the bytecode was made with');
  assert.deepEqual(SOLC_SETTINGS, { optimizer: compiler.SETTINGS.optimizer, evmVersion: compiler.SETTINGS.evmVersion, metadata: compiler.SETTINGS.metadata });
  assert.equal(contracts.SynthToken, SYNTH_TOKEN_CODE, 'SynthToken: run `node contracts/compile.mjs` after changing the source');
  assert.equal(contracts.SynthPair, SYNTH_PAIR_CODE, 'SynthPair: run `node contracts/compile.mjs` after changing the source');
});
