/**
 * The block a single-block command (replay, bal) works on: from --fixtures, the cache, the
 * bundled fixtures or a node (src/source/blockSource.ts), with the command's progress line,
 * notes on stderr, and Ctrl-C aborting a fetch in flight.
 */
import type { ObtainedBlock } from '../source/blockSource.js';
import { obtainBlock } from '../source/blockSource.js';
import type { InterruptGuard } from './interrupt.js';
import type { Progress } from './progress.js';
import { parseChainId, rpcSettings, type RawRpcOptions } from './rpcOptions.js';

/** The block-source options a command takes (--fixtures, --rpc and its settings, --chain-id, --hardfork). */
export interface BlockSourceFlags extends RawRpcOptions {
  fixtures?: string;
  chainId?: string;
  hardfork?: string;
}

export async function obtainCommandBlock(number: bigint, raw: BlockSourceFlags, progress: Progress, interrupt: InterruptGuard): Promise<ObtainedBlock> {
  progress.phase(`loading block ${number}`);
  const rpc = rpcSettings(raw, process.env, false);
  const fallbackRpc = rpc === undefined ? rpcSettings({}, process.env, true) : undefined;
  return obtainBlock(number, {
    ...(raw.fixtures === undefined ? {} : { fixturesDir: raw.fixtures }),
    ...(rpc === undefined ? {} : { rpc }),
    ...(fallbackRpc === undefined ? {} : { fallbackRpc }),
    ...(raw.chainId === undefined ? {} : { chainId: parseChainId(raw.chainId) }),
    ...(raw.hardfork === undefined ? {} : { hardfork: raw.hardfork }),
    progress: (text) => progress.phase(text),
    note: (text) => {
      progress.stop();
      process.stderr.write(`stm: note: ${text}\n`);
    },
    signal: interrupt.signal,
  });
}
