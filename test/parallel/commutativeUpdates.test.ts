// Commutative sender updates (src/exec/commutativeUpdates.ts) as specifications: a hot
// wallet's transfers stop being a chain in the "transfers commute" view; code that looks
// at the sender's balance makes its transaction strict again, while a payment back to it
// is a credit; a wallet that can only pay after an earlier transfer into it still runs
// exactly as serial; a block whose wallet really overdraws fails in parallel as it does
// serially, never ✓. And contracts' payments (a vault paying its callers, as WETH's
// withdrawals do): they commute too, and a vault that runs dry still gives serial's result.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createBlockContext } from '../../src/exec/blockContext.js';
import { ReplayVm } from '../../src/exec/replayVm.js';
import { runSerial } from '../../src/exec/serialExecutor.js';
import { replayParallel } from '../../src/replay/replayParallel.js';
import { closeSharedPool } from '../../src/parallel/workerPool.js';
import { runInvalidBlock } from '../helpers/invalidBlockRun.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { ETHER, GWEI, fund, syntheticBlock, testAccount, testAddress, type SyntheticTx } from '../helpers/syntheticBlock.js';

after(() => closeSharedPool());

const quick = { runs: 1, warmup: 0, threads: 4 };
const wallet = testAccount(71);
const funder = testAccount(72);
const other = testAccount(73);
const SINK = testAddress(0x5100); // stores CALLVALUE: code runs, never looks at the sender
const READER = testAddress(0x5200); // stores BALANCE(ORIGIN): looks at the sender's balance
const PAYBACK = testAddress(0x5300); // sends 1 wei back to CALLER: pays the sender (a vault paying out)
const WATCHER = testAddress(0x5400); // stores BALANCE(wallet): another sender reads the wallet in full

const code = {
  sink: '0x3460005500', // CALLVALUE PUSH1 0 SSTORE STOP
  reader: '0x323160005500', // ORIGIN BALANCE PUSH1 0 SSTORE STOP
  payback: '0x600060006000600060013361fffff100', // CALL(0xffff gas, CALLER, 1 wei, no data) STOP
  watcher: `0x73${wallet.address.slice(2)}3160005500`, // PUSH20 wallet BALANCE PUSH1 0 SSTORE STOP
};

function contract(bytecode: string, balance = 0n) {
  return { balance: `0x${balance.toString(16)}`, nonce: 1, code: bytecode };
}

/** A payout wallet that can pay its later transfers only with what `funder` sends it at tx 3, mixed with every case the rule must get right. */
function payoutBlock(walletBalance: bigint) {
  const pay = (to: string, value: bigint, extra: Partial<SyntheticTx> = {}): SyntheticTx => ({ from: wallet, to, value, ...extra });
  return syntheticBlock({
    prestate: {
      ...fund([funder, other]),
      [wallet.address]: { balance: `0x${walletBalance.toString(16)}`, nonce: 5 },
      [SINK]: contract(code.sink),
      [READER]: contract(code.reader),
      [PAYBACK]: contract(code.payback, 1000n),
      [WATCHER]: contract(code.watcher),
    },
    txs: [
      pay(testAddress(0x6001), ETHER / 10n),
      pay(testAddress(0x6002), ETHER / 10n, { type: 'legacy' }),
      pay(SINK, 1n, { gasLimit: 60_000n }),
      { from: funder, to: wallet.address, value: 5n * ETHER },
      pay(testAddress(0x6003), 2n * ETHER),
      pay(READER, 0n, { gasLimit: 60_000n }),
      pay(PAYBACK, 0n, { gasLimit: 80_000n }),
      { from: other, to: WATCHER, value: 0n, gasLimit: 60_000n },
      { from: wallet, to: null, data: '0x00', gasLimit: 100_000n },
      pay(testAddress(0x6004), ETHER),
      pay(testAddress(0x6005), ETHER, { type: 'legacy' }),
    ],
  });
}

test('a payout wallet: every transfer ran lazily but those whose code looked at the sender, and the result equals the strict replay', async () => {
  const data = payoutBlock(ETHER / 2n);
  const serial = await replaySerial(data, quick);
  assert.ok(serial.run.txs.every((run) => run.receipt !== undefined));
  const ctx = createBlockContext(data);
  const replay = await ReplayVm.create(ctx);
  const lazy = await runSerial(replay, { commutative: true });
  // 5: code looked at the sender; 8: a creation (not in the rule). 6 is paid back: a credit.
  assert.deepEqual(
    lazy.txs.map((run) => run.lazy),
    [true, true, true, true, true, false, true, true, false, true, true],
  );
  for (const [key, value] of serial.run.postState) assert.deepEqual(lazy.postState.get(key), value, key);
  assert.equal(lazy.postState.size, serial.run.postState.size);
});

test('in the "transfers commute" view the wallet is no chain: only the strict transactions and the full read of its balance wait', async () => {
  const serial = await replaySerial(payoutBlock(ETHER / 2n), quick);
  const all = serial.analysis.graph.preds;
  const commute = serial.analysis.commutativeGraph.preds;
  // All locations: each wallet transaction waits for the previous one (balance, nonce).
  assert.deepEqual(all[1], [0]);
  assert.ok(all[4]!.includes(3), 'tx 4 spends what tx 3 sent');
  // Transfers commute: plain transfers and the harmless contract call wait for nothing.
  for (const tx of [0, 1, 2, 3, 4, 9, 10]) assert.deepEqual(commute[tx], [], `tx ${tx}`);
  // Tx 5 reads the wallet's balance in full: every earlier debit and credit of it.
  assert.deepEqual(commute[5], [0, 1, 2, 3, 4]);
  // Tx 7 (another sender) reads the wallet's balance through a contract: tx 5 (strict) wrote
  // it in full, and tx 6 credited it since.
  assert.deepEqual(commute[7], [5, 6]);
  assert.equal(serial.analysis.transfersCommute.longestChain < serial.analysis.all.longestChain, true);
});

test('the payout block equals serial in parallel at 1, 2, 4 and 8 threads, with and without stress, lazily or strictly', async () => {
  const serial = await replaySerial(payoutBlock(ETHER / 2n), quick);
  for (const threads of [1, 2, 4, 8]) {
    for (const seed of [undefined, 5, 9]) {
      for (const commutative of [true, false]) {
        const stress = seed === undefined ? undefined : { seed, delayProbability: 0.2, maxDelayUs: 300, drainProbability: 0.3 };
        const parallel = await replayParallel(serial, { threads, fallback: false, runs: 1, warmup: 0, interleaveSerial: false, commutative, ...(stress ? { stress } : {}) });
        assert.ok(parallel.equalsSerial, `${threads} threads, seed ${seed}, commutative ${commutative}: ${JSON.stringify(parallel.firstDifference)}`);
      }
    }
  }
});

test('a wallet that really overdraws fails serially, and fails in parallel when its lazy transfer commits: never equal, never ✓', async () => {
  // Without the 5 ETH at tx 3 ... (the wallet has 0.5 ETH; tx 4 sends 2 ETH).
  const data = payoutBlock(ETHER / 2n);
  data.block.transactions.splice(3, 1);
  data.block.transactions.forEach((tx, i) => (tx.transactionIndex = `0x${i.toString(16)}`));
  await assert.rejects(replaySerial(data, quick), /enough funds|balance/i, 'serial replay refuses the block');
  const ctx = createBlockContext(data);
  const replay = await ReplayVm.create(ctx);
  for (const threads of [1, 2, 4]) {
    await assert.rejects(runInvalidBlock(ctx, replay, threads, 900 + threads), /transaction 3 failed in parallel execution.*(enough funds|balance)/i, `${threads} threads`);
  }
});

test('fee-market transfers need gas limit × max fee + value; the guard holds exactly at that balance', async () => {
  const maxFee = 2n * 10n * GWEI + GWEI;
  const need = 21_000n * maxFee + ETHER;
  for (const [balance, ok] of [[need, true], [need - 1n, false]] as const) {
    const data = syntheticBlock({ prestate: { [wallet.address]: { balance: `0x${balance.toString(16)}`, nonce: 0 } }, txs: [{ from: wallet, to: testAddress(0x7001), value: ETHER }] });
    if (ok) assert.equal((await replaySerial(data, quick)).run.txs[0]!.gasUsed, 21_000n);
    else await assert.rejects(replaySerial(data, quick), /enough funds|max cost/i);
  }
});

/**
 * Callers of a vault (PAYBACK: pays each caller 1 wei) holding `vaultWei`, each from its own
 * sender. The senders have sent before (nonce 7), as on mainnet: a sender new to the chain
 * is checked for emptiness when paid, which reads its nonce and makes the transaction strict.
 */
function vaultBlock(vaultWei: bigint, callers: number) {
  const senders = Array.from({ length: callers }, (_, i) => testAccount(90 + i));
  const funded = Object.fromEntries(Object.entries(fund(senders)).map(([address, account]) => [address, { ...account, nonce: 7 }]));
  return syntheticBlock({
    prestate: { ...funded, [PAYBACK]: contract(code.payback, vaultWei) },
    txs: senders.map((from) => ({ from, to: PAYBACK, value: 0n, gasLimit: 80_000n })),
  });
}

test('contracts paying out commute: a vault\'s payments to its callers wait for nothing in the "transfers commute" view; the balance check is a guard', async () => {
  const serial = await replaySerial(vaultBlock(1000n, 4), quick);
  // All locations: every call reads the vault's balance (the CALL's check) and writes it.
  assert.deepEqual(serial.analysis.graph.preds.slice(1), [[0], [1], [2]]);
  for (const tx of [0, 1, 2, 3]) assert.deepEqual(serial.analysis.commutativeGraph.preds[tx], [], `tx ${tx}`);
  const replay = await ReplayVm.create(createBlockContext(vaultBlock(1000n, 4)));
  const lazy = await runSerial(replay, { commutative: true });
  const vaultBalance = `b:${PAYBACK}`;
  for (const run of lazy.txs) {
    assert.deepEqual(run.guards, [{ key: vaultBalance, atLeast: true, value: 1n }]);
    assert.equal(run.reads.keys.includes(vaultBalance), false, 'the balance is not read');
  }
  assert.equal(lazy.postState.get(vaultBalance), 996n);
  for (const threads of [1, 2, 4, 8]) {
    for (const seed of [undefined, 5]) {
      const stress = seed === undefined ? undefined : { seed, delayProbability: 0.2, maxDelayUs: 300, drainProbability: 0.3 };
      const parallel = await replayParallel(serial, { threads, fallback: false, runs: 1, warmup: 0, interleaveSerial: false, ...(stress ? { stress } : {}) });
      assert.ok(parallel.equalsSerial, `${threads} threads, seed ${seed}: ${JSON.stringify(parallel.firstDifference)}`);
    }
  }
});

test('a vault that runs dry: the payments it could not make fail their guard, run again strictly, and every run equals serial', async () => {
  // 2 wei for 4 callers: the third and fourth CALLs fail (the vault ignores it).
  const data = vaultBlock(2n, 4);
  const serial = await replaySerial(data, quick);
  const lazy = await runSerial(await ReplayVm.create(createBlockContext(data)), { commutative: true });
  assert.deepEqual(
    lazy.txs.map((run) => run.lazy),
    [true, true, false, false],
    'the guards of 2 and 3 failed: they ran strictly',
  );
  assert.equal(lazy.postState.get(`b:${PAYBACK}`), 0n);
  for (const [key, value] of serial.run.postState) assert.deepEqual(lazy.postState.get(key), value, key);
  for (const threads of [1, 2, 4, 8]) {
    for (const seed of [undefined, 5, 9]) {
      const stress = seed === undefined ? undefined : { seed, delayProbability: 0.2, maxDelayUs: 300, drainProbability: 0.3 };
      const parallel = await replayParallel(serial, { threads, fallback: false, runs: 1, warmup: 0, interleaveSerial: false, ...(stress ? { stress } : {}) });
      assert.ok(parallel.equalsSerial, `${threads} threads, seed ${seed}: ${JSON.stringify(parallel.firstDifference)}`);
    }
  }
});
