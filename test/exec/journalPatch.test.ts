// The journal patch (src/exec/journalPatch.ts) behaves as ethereumjs's own Journal: the
// same random sequences of checkpoints, commits, reverts, touches, warm addresses and slots
// and cleanups, run on an unpatched Journal and on a patched subclass, leave the same state
// after every step (heights, warm sets, touched accounts, diffs, access list) and delete
// the same empty accounts; the shared empty diff is never written. This file never applies
// the process-wide patches, so ethereumjs's Journal here is the original.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util';
import { patchJournal } from '../../src/exec/journalPatch.js';
import { seededRandom } from '../../src/parallel/seededRandom.js';

type JournalClass = new (stateManager: unknown, common: unknown) => Record<string, unknown>;

async function journalClass(): Promise<JournalClass> {
  const entry = createRequire(import.meta.url).resolve('@ethereumjs/evm').replace(/cjs[\\/]index\.js$/, 'esm/index.js');
  const module = (await import(pathToFileURL(entry.replace(/index\.js$/, 'journal.js')).href)) as { Journal: JournalClass };
  return module.Journal;
}

/** A state manager that answers emptiness from a fixed set and records deletions. */
function stateManager(empty: Set<string>, deleted: string[]) {
  return {
    async checkpoint() {},
    async commit() {},
    async revert() {},
    async putAccount() {},
    async getAccount(address: Address) {
      const hex = address.toString();
      return hex.endsWith('ff') ? undefined : { isEmpty: () => empty.has(hex) };
    },
    async deleteAccount(address: Address) {
      deleted.push(address.toString());
    },
  };
}

/** Everything observable about a journal, as plain data (sets in their insertion order). */
function observed(journal: Record<string, unknown>): unknown {
  const sets = (map: Map<string, Set<string>>) => [...map].map(([key, set]) => [key, [...set]]);
  const diffs = (journal.journalDiff as Array<[number, [Set<string>, Map<string, Set<string>>, Set<string>]]>).map(([height, [warm, slots, touched]]) => [height, [...warm], sets(slots), [...touched]]);
  const accessList = journal.accessList as Map<string, Set<string>> | undefined;
  return {
    height: journal.journalHeight,
    journal: sets(journal.journal as Map<string, Set<string>>),
    alwaysWarm: sets(journal.alwaysWarmJournal as Map<string, Set<string>>),
    touched: [...(journal.touched as Set<string>)],
    diffs,
    accessList: accessList === undefined ? undefined : sets(accessList),
  };
}

test('a patched Journal keeps the same state as ethereumjs’s through random sequences of operations', async () => {
  const Journal = await journalClass();
  class PatchedJournal extends Journal {}
  patchJournal(PatchedJournal.prototype as never);
  const common = { gteHardfork: () => true };
  const random = seededRandom(11);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const addresses = Array.from({ length: 6 }, (_, i) => bytesToHex(new Uint8Array(20).fill(0x10 + i)).replace(/..$/, i === 5 ? 'ff' : '0' + i));
  const slots = Array.from({ length: 4 }, (_, i) => new Uint8Array(32).fill(i + 1));
  for (let sequence = 0; sequence < 200; sequence++) {
    const empty = new Set(addresses.filter(() => random() < 0.4));
    const deletedA: string[] = [];
    const deletedB: string[] = [];
    const a = new Journal(stateManager(empty, deletedA), common) as Record<string, (...args: unknown[]) => unknown>;
    const b = new PatchedJournal(stateManager(empty, deletedB), common) as Record<string, (...args: unknown[]) => unknown>;
    if (random() < 0.2) for (const journal of [a, b]) journal.startReportingAccessList!();
    for (let step = 0; step < 60; step++) {
      const height = a.journalHeight as unknown as number;
      const address = pick(addresses);
      const op = pick(['checkpoint', 'commit', 'revert', 'touchAddress', 'touchAccount', 'addWarmedAddress', 'addWarmedStorage', 'addAlwaysWarmAddress', 'cleanJournal', 'cleanup', 'deleteAccount']);
      // ethereumjs commits and reverts only a checkpoint it opened.
      if ((op === 'commit' || op === 'revert') && height === 0) continue;
      const slot = pick(slots);
      const toAccessList = random() < 0.5;
      for (const journal of [a, b]) {
        switch (op) {
          case 'touchAddress':
          case 'deleteAccount':
            await journal[op]!(new Address(hexToBytes(address as `0x${string}`)));
            break;
          case 'touchAccount':
            journal.touchAccount!(address.slice(2));
            break;
          case 'addWarmedAddress':
            journal.addWarmedAddress!(hexToBytes(address as `0x${string}`));
            break;
          case 'addWarmedStorage':
            journal.addWarmedStorage!(hexToBytes(address as `0x${string}`), slot);
            break;
          case 'addAlwaysWarmAddress':
            journal.addAlwaysWarmAddress!(address, toAccessList);
            break;
          default:
            await journal[op]!();
        }
      }
      assert.deepEqual(observed(b), observed(a), `sequence ${sequence}, step ${step}: ${op}`);
      for (const [addressBytes, slot2] of [[hexToBytes(address as `0x${string}`), slot]] as const) {
        assert.equal(b.isWarmedAddress!(addressBytes), a.isWarmedAddress!(addressBytes));
        assert.equal(b.isWarmedStorage!(addressBytes, slot2), a.isWarmedStorage!(addressBytes, slot2));
      }
    }
    assert.deepEqual(deletedB, deletedA, `sequence ${sequence}: the same accounts deleted`);
  }
  // The shared empty diff stayed empty: every writer took a diff of its own first.
  const fresh = new PatchedJournal(stateManager(new Set(), []), common) as Record<string, unknown>;
  const [[, shared]] = fresh.journalDiff as Array<[number, [Set<string>, Map<string, unknown>, Set<string>]]>;
  assert.deepEqual([shared[0].size, shared[1].size, shared[2].size], [0, 0, 0]);
});
