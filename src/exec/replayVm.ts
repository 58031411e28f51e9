/**
 * ReplayVm: one ethereumjs VM per block and thread, wired to a TxState, that runs one
 * transaction at a time against any StateSource and returns what it did: receipt, gas,
 * read set, write set, time. The serial executor and every parallel worker run
 * transactions through this and nothing else, so both execute identically.
 *
 * Two adjustments to ethereumjs, both semantics-preserving:
 *   - the phase flag: TxState must know when the EVM has finished (runCall returned) to
 *     recognise the coinbase fee credit that runTx applies afterwards;
 *   - value transfers of zero: ethereumjs reads and rewrites the caller's and callee's
 *     balance on every CALL even when the value is 0, which would record a balance read
 *     of every contract called. For a zero value we only touch the accounts (as it does).
 *   - value transfers into an account whose balance the transaction has not read become
 *     commutative credits (TxState.creditBalance): many transactions paying one address
 *     (WETH deposits, an exchange's deposit address) do not depend on each other;
 *   - and, in a lazily run transaction, a contract's payment whose balance check was
 *     served lazily becomes a debit (TxState.debitLazily; the check: evmPatches.ts).
 */
import type { Block } from '@ethereumjs/block';
import type { TypedTransaction } from '@ethereumjs/tx';
import { hexToBytes, type Address } from '@ethereumjs/util';
import { createVM, runTx, type RunTxResult, type TxReceipt, type VM } from '@ethereumjs/vm';
import { MissingBlockHashError, PASS_THROUGH, StmError, TxExecutionError } from '../errors.js';
import { LazyAccount } from '../state/lazyAccount.js';
import type { StateSource } from '../state/stateSource.js';
import { TxState, type ReadSet, type StateGuard, type WriteSet } from '../state/txState.js';
import { txHash, type BlockContext } from './blockContext.js';
import { applyEvmPatches, quietEvents } from './evmPatches.js';
import { applyHeapSettings } from './heapSettings.js';
import { applyEpilogue, epilogueCredits } from './systemOps.js';
import { runOpaqueTx } from './opaqueTx.js';
import { commutativeSenders, type CommutativeSender } from './commutativeUpdates.js';

export interface TxRun {
  index: number;
  result: RunTxResult;
  receipt: TxReceipt;
  gasUsed: bigint;
  reads: ReadSet;
  writes: WriteSet;
  /** Wall time of runTx, ms. */
  timeMs: number;
  /** It ran with its sender updates applied lazily (commutativeUpdates.ts): its guards are checked at commit. */
  lazy: boolean;
  /** Besides its sender's: the guards of contracts' payments it debited lazily (TxState.guards; empty when none). */
  guards: StateGuard[];
}

interface EvmInternals {
  runCall: (opts: unknown) => Promise<unknown>;
  runInterpreter: (message: unknown, opts?: unknown) => Promise<unknown>;
  _addToBalance: (account: unknown, message: { value: bigint; to: Address }) => Promise<void>;
  _reduceSenderBalance: (account: unknown, message: { value: bigint; caller: Address }) => Promise<void>;
  journal: { putAccount: (address: Address, account: unknown) => Promise<void>; cleanJournal: () => void };
}

export class ReplayVm {
  private plan: Array<CommutativeSender | undefined> | undefined;
  /**
   * Transactions whose lazy run this VM saw touched by code (a refund to the sender, a
   * BALANCE of it): they run strictly from then on, here and, through `lazyPlan`, in the
   * executor's runs, instead of paying for two executions every time.
   */
  readonly violations = new Set<number>();

  private constructor(
    readonly ctx: BlockContext,
    readonly vm: VM,
    readonly state: TxState,
  ) {}

  static async create(ctx: BlockContext): Promise<ReplayVm> {
    applyHeapSettings();
    await applyEvmPatches();
    const state = new TxState({ coinbase: ctx.coinbase, deletesEmptyAccounts: ctx.deletesEmptyAccounts, lazyDebits: !ctx.common.isActivatedEIP(7928) });
    const hashes = ctx.data.blockHashes;
    const atBlock = ctx.data.number;
    const blockchain = {
      async getBlock(n: number | bigint) {
        const hash = hashes.get(BigInt(n));
        if (hash === undefined) throw new MissingBlockHashError(BigInt(n), atBlock);
        return { hash: () => hexToBytes(hash as `0x${string}`) };
      },
      async putBlock() {},
      shallowCopy() {
        return this;
      },
      async validateHeader() {},
    };
    const vm = await createVM({ common: ctx.common, stateManager: state, blockchain: blockchain as never });
    const evm = vm.evm as unknown as EvmInternals;
    quietEvents(vm as never);
    quietEvents(evm as never);
    for (const method of ['runCall', 'runInterpreter', '_addToBalance', '_reduceSenderBalance'] as const) {
      if (typeof evm[method] !== 'function') throw new StmError(`this @ethereumjs/evm has no ${method}; stm needs @ethereumjs/evm 10.1.x`);
    }
    const runCall = evm.runCall.bind(evm);
    evm.runCall = async (opts) => {
      try {
        return await runCall(opts);
      } finally {
        state.phase = 'post';
      }
    };
    // Code executing (any call frame): TxState then treats a touch of a lazily updated
    // sender's balance or nonce as a violation (see commutativeUpdates.ts).
    const runInterpreter = evm.runInterpreter.bind(evm);
    evm.runInterpreter = async (message, opts) => {
      state.codeDepth++;
      try {
        return await runInterpreter(message, opts);
      } finally {
        state.codeDepth--;
      }
    };
    const addToBalance = evm._addToBalance.bind(evm);
    evm._addToBalance = (account, message) => {
      if (message.value === 0n) return evm.journal.putAccount(message.to, account);
      // A transfer into an account whose balance this transaction has not read: a credit.
      if (account instanceof LazyAccount && !account.hasBalance() && state.creditBalance(message.to.toString(), message.value)) {
        return evm.journal.putAccount(message.to, account);
      }
      return addToBalance(account, message);
    };
    const reduceSenderBalance = evm._reduceSenderBalance.bind(evm);
    evm._reduceSenderBalance = (account, message) => {
      if (message.value === 0n) return evm.journal.putAccount(message.caller, account);
      // A contract's payment whose balance check was served lazily: a debit (TxState's module comment).
      if (account instanceof LazyAccount && !account.hasBalance() && state.debitLazily(message.caller, message.value)) {
        return evm.journal.putAccount(message.caller, account);
      }
      return reduceSenderBalance(account, message);
    };
    return new ReplayVm(ctx, vm, state);
  }

  get block(): Block {
    return this.ctx.block;
  }

  tx(index: number): TypedTransaction {
    return this.ctx.txs[index]!;
  }

  /** Per transaction: the assumptions under which its sender updates commute, or undefined (computed once). */
  get commutativePlan(): Array<CommutativeSender | undefined> {
    this.plan ??= commutativeSenders(this.ctx);
    return this.plan;
  }

  /** The commutative plan without the transactions known to break it (see `violations`): what the executor applies. */
  get lazyPlan(): Array<CommutativeSender | undefined> {
    if (this.violations.size === 0) return this.commutativePlan;
    return this.commutativePlan.map((sender, i) => (this.violations.has(i) ? undefined : sender));
  }

  /**
   * Runs transaction `index` against `source`. Errors thrown by the source (an ESTIMATE
   * read in the parallel executor) pass through unchanged; anything else ethereumjs
   * throws becomes a TxExecutionError naming the transaction. With `commutative`, a
   * transaction the rule allows runs with lazy sender updates (its guards are the
   * caller's to check); if it read non-empty code it runs again strictly.
   */
  async run(index: number, source: StateSource, commutative = false): Promise<TxRun> {
    const lazy = commutative && !this.violations.has(index) ? this.commutativePlan[index] : undefined;
    if (lazy !== undefined) {
      try {
        const run = await this.runOnce(index, source, lazy);
        if (!this.state.lazyViolated) return run;
      } catch (error) {
        if (!this.state.lazyViolated) throw error;
      }
      this.violations.add(index);
    }
    return this.runOnce(index, source, undefined);
  }

  private async runOnce(index: number, source: StateSource, lazy: CommutativeSender | undefined): Promise<TxRun> {
    const state = this.state;
    state.begin(index, source, lazy);
    (this.vm.evm as unknown as EvmInternals).journal.cleanJournal();
    const started = performance.now();
    const opaque = this.ctx.data.opaque?.find((o) => o.index === index);
    if (opaque !== undefined) {
      // Not executed: its effects are the node's trace (src/exec/opaqueTx.ts, Sei precompiles).
      const done = await runOpaqueTx(state, this.ctx.common, this.ctx.coinbase, opaque, this.ctx.txs[index]!);
      if (state.sourceFailure !== undefined) throw state.sourceFailure;
      return { index, ...done, timeMs: performance.now() - started, lazy: false, guards: state.guards };
    }
    let result: RunTxResult;
    try {
      result = await runTx(this.vm, { tx: this.ctx.txs[index]!, block: this.ctx.block, skipHardForkValidation: true, blockGasUsed: 0n });
    } catch (error) {
      if (state.sourceFailure !== undefined) throw state.sourceFailure;
      if (error instanceof StmError || isPassThrough(error)) throw error;
      throw new TxExecutionError(index, txHash(this.ctx, index), (error as Error).message ?? String(error), { cause: error });
    }
    if (state.sourceFailure !== undefined) throw state.sourceFailure;
    const timeMs = performance.now() - started;
    return { index, result, receipt: result.receipt, gasUsed: result.totalGasSpent, reads: state.readSet, writes: state.finish(), timeMs, lazy: lazy !== undefined, guards: state.guards };
  }

  /** A run is over: the VM's state forgets its last transaction's source (TxState.release). */
  release(): void {
    this.state.release();
  }

  /** Applies withdrawals and block rewards on top of `source` (the state after the last transaction). */
  async runEpilogue(source: StateSource): Promise<WriteSet> {
    const n = this.ctx.txs.length;
    this.state.begin(n, source);
    this.state.phase = 'exec';
    await applyEpilogue(this.state, epilogueCredits(this.ctx.common, this.ctx.block, this.ctx.data.block.uncles?.length ?? 0));
    return this.state.finish();
  }
}

function isPassThrough(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[PASS_THROUGH] === true;
}
