/**
 * What can go wrong between stm and a node, as errors a user can act on. Each names the
 * endpoint only in redacted form (see redact.ts). Exit codes follow src/errors.ts: a
 * request about the user's input (a block that does not exist yet, the wrong chain for
 * the data) is 2; the node or the network failing us is 3.
 */
import { BlockNotFoundError, StmError, UsageError, type StmErrorOptions } from '../errors.js';

/** The node could not be reached (refused, DNS, timeouts, resets) after every retry. */
export class RpcUnreachableError extends StmError {
  override name = 'RpcUnreachableError';
}

/** The node answered, but with an error the fetch cannot work around (after retries). */
export class RpcRequestError extends StmError {
  override name = 'RpcRequestError';
}

/** The node answered something that is not what the method returns (wrong shape, bad JSON, wrong batch). */
export class MalformedResponseError extends StmError {
  override name = 'MalformedResponseError';
}

/** The node serves a different chain than the one asked for (--chain-id) or than the cached data. */
export class WrongChainError extends UsageError {
  override name = 'WrongChainError';
}

/** The block is beyond the node's head: not yet mined (exit 2, like any unknown block). */
export class BlockNotMinedError extends BlockNotFoundError {
  override name = 'BlockNotMinedError';
}

/** The node no longer has the state the block needs (not an archive node, or beyond its trace lookback). */
export class PrunedStateError extends StmError {
  override name = 'PrunedStateError';
}

/** The debug namespace (debug_traceBlockByNumber / debug_traceTransaction) is not served, and it was required. */
export class DebugUnavailableError extends StmError {
  override name = 'DebugUnavailableError';
}

export type { StmErrorOptions };
