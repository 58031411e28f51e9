// `stm bal` and `stm replay --scheduler bal --bal FILE` through the CLI: the list is
// written as RLP and as JSON and executes to a verified, parallel = serial replay; every
// tampered list (a value changed, an entry dropped, an index shifted, a slot moved from
// writes to reads, an account dropped, truncated RLP, unsorted JSON, a wrong hash) gives
// one clear line and a non-zero exit, and nothing is reported as verified.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BALJSONBlockAccessList } from '@ethereumjs/util';
import { stm } from '../helpers/cliRunner.js';
import { fullOnly } from '../helpers/testTiers.js';

const BLOCK = '19426587';
const RUN = ['--runs', '1', '--warmup', '0', '--threads', '2', '--no-fallback'];
let dir: string;
let rlpFile: string;
let jsonFile: string;
let original: BALJSONBlockAccessList;
let txCount: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stm-bal-cli-'));
  rlpFile = join(dir, 'b.rlp');
  jsonFile = join(dir, 'b.json');
  const a = await stm(['bal', '--block', BLOCK, '--out', rlpFile], {});
  assert.equal(a.code, 0, a.stderr);
  const b = await stm(['bal', '--block', BLOCK, '--out', jsonFile, '--format', 'json', '--json'], {});
  assert.equal(b.code, 0, b.stderr);
  txCount = (JSON.parse(b.stdout) as { block: { txCount: number } }).block.txCount;
  original = JSON.parse(readFileSync(jsonFile, 'utf8')) as BALJSONBlockAccessList;
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('stm bal prints the hash, sizes, counts and the item cap; --json carries the same; --help has examples', async () => {
  const text = await stm(['bal', '--block', BLOCK], {});
  assert.equal(text.code, 0, text.stderr);
  for (const label of ['hash', 'size', 'accounts', 'storage', 'changes', 'items']) assert.match(text.stdout, new RegExp(`│ ${label}\\s`), label);
  assert.match(text.stdout, /bytes RLP, [\d,]+ bytes gzip/);
  const json = await stm(['bal', '--block', BLOCK, '--json'], {});
  const report = JSON.parse(json.stdout) as { verified: boolean; bal: { hash: string; rlpBytes: number; items: number; maxItems: number; counts: { accounts: number } } };
  assert.equal(report.verified, true);
  assert.equal(report.bal.rlpBytes, readFileSync(rlpFile).length, 'the RLP written is the RLP measured');
  assert.equal(report.bal.counts.accounts, original.length);
  assert.ok(report.bal.items <= report.bal.maxItems);
  assert.ok(text.stdout.includes(report.bal.hash));
  const help = await stm(['bal', '--help'], {});
  assert.match(help.stdout, /Examples:/);
});

test('the list written as RLP and as JSON executes with --scheduler bal to a verified replay equal to serial', fullOnly, async () => {
  for (const file of [rlpFile, jsonFile]) {
    const run = await stm(['replay', '--block', BLOCK, '--scheduler', 'bal', '--bal', file, ...RUN, '--json'], {});
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { parallel: { scheduler: string; equalsSerial: boolean; reexecutions: number }; outcome: { exitCode: number } };
    assert.equal(report.parallel.scheduler, 'bal');
    assert.equal(report.parallel.equalsSerial, true);
    assert.equal(report.parallel.reexecutions, 0);
  }
  const hash = JSON.parse((await stm(['bal', '--block', BLOCK, '--json'], {})).stdout).bal.hash as string;
  const checked = await stm(['replay', '--block', BLOCK, '--scheduler', 'bal', '--bal', rlpFile, '--bal-hash', hash, ...RUN], {});
  assert.equal(checked.code, 0, checked.stderr);
});

function txIndexOf(hex: string): number {
  return Number.parseInt(hex, 16);
}
const isTx = (hex: string): boolean => txIndexOf(hex) >= 1 && txIndexOf(hex) <= txCount;

/** A copy of the list with one change made by `edit`. */
function tampered(edit: (bal: BALJSONBlockAccessList) => void): BALJSONBlockAccessList {
  const copy = structuredClone(original);
  edit(copy);
  return copy;
}

async function expectRefused(name: string, file: string, code: number, pattern: RegExp, extra: string[] = []): Promise<void> {
  const run = await stm(['replay', '--block', BLOCK, '--scheduler', 'bal', '--bal', file, ...RUN, ...extra], {});
  assert.equal(run.code, code, `${name}: exit ${run.code}, stderr ${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${name}: one line, got ${run.stderr}`);
  assert.match(lines[0]!, /^stm: /);
  assert.match(lines[0]!, pattern, name);
  assert.ok(!run.stdout.includes('✓'), `${name}: nothing is reported verified`);
  process.stderr.write(`# ${name}: exit ${run.code}: ${lines[0]}\n`);
}

function writeJson(name: string, bal: BALJSONBlockAccessList): string {
  const file = join(dir, name + '.json');
  writeFileSync(file, JSON.stringify(bal));
  return file;
}

test('a storage post-value changed: exit 1 naming the transaction and the slot', async () => {
  const file = writeJson('value', tampered((bal) => {
    const slot = bal.flatMap((a) => a.storageChanges).find((s) => s.slotChanges.some((c) => isTx(c.blockAccessIndex)))!;
    const change = slot.slotChanges.find((c) => isTx(c.blockAccessIndex))!;
    change.postValue = change.postValue === '0x2a' ? '0x2b' : '0x2a';
  }));
  await expectRefused('value changed', file, 1, /transaction \d+ .*slot/);
});

test('a balance change dropped: exit 1 naming the transaction and the balance', fullOnly, async () => {
  const file = writeJson('dropped', tampered((bal) => {
    const account = bal.find((a) => a.balanceChanges.some((c) => isTx(c.blockAccessIndex)))!;
    account.balanceChanges = account.balanceChanges.filter((c, i, all) => i !== all.findIndex((d) => isTx(d.blockAccessIndex)));
  }));
  await expectRefused('entry dropped', file, 1, /transaction \d+ .*balance/);
});

test('a storage change shifted to the next index: exit 1', fullOnly, async () => {
  const file = writeJson('shifted', tampered((bal) => {
    const slot = bal.flatMap((a) => a.storageChanges).find((s) => s.slotChanges.length === 1 && isTx(s.slotChanges[0]!.blockAccessIndex) && txIndexOf(s.slotChanges[0]!.blockAccessIndex) < txCount)!;
    const next = txIndexOf(slot.slotChanges[0]!.blockAccessIndex) + 1;
    slot.slotChanges[0]!.blockAccessIndex = `0x${next.toString(16).padStart(2, '0')}`;
  }));
  await expectRefused('index shifted', file, 1, /transaction \d+ .*slot|access list has .*slot/);
});

test('a written slot moved to the reads: exit 1', fullOnly, async () => {
  const file = writeJson('moved', tampered((bal) => {
    const account = bal.find((a) => a.storageChanges.some((s) => s.slotChanges.every((c) => isTx(c.blockAccessIndex))))!;
    const slot = account.storageChanges.find((s) => s.slotChanges.every((c) => isTx(c.blockAccessIndex)))!;
    account.storageChanges = account.storageChanges.filter((s) => s !== slot);
    account.storageReads = [...account.storageReads, slot.slot].sort((a, b) => (BigInt(a === '0x' ? 0 : a) < BigInt(b === '0x' ? 0 : b) ? -1 : 1));
  }));
  await expectRefused('slot moved to reads', file, 1, /transaction \d+ .*slot/);
});

test('an account dropped: exit 1 naming the account', fullOnly, async () => {
  const file = writeJson('account', tampered((bal) => {
    const i = bal.findIndex((a) => a.nonceChanges.length === 0 && a.balanceChanges.length === 0 && a.storageChanges.length === 0 && a.codeChanges.length === 0);
    bal.splice(i >= 0 ? i : 0, 1);
  }));
  await expectRefused('account dropped', file, 1, /does not list|not list/);
});

test('an account nothing touched is listed: exit 1 naming the account', async () => {
  const extra = '0x00000000000000000000000000000000000000ab';
  const file = writeJson('extra-account', tampered((bal) => {
    bal.push({ address: extra, storageChanges: [], storageReads: [], balanceChanges: [], nonceChanges: [], codeChanges: [] } as unknown as BALJSONBlockAccessList[number]);
    bal.sort((a, b) => (a.address < b.address ? -1 : 1));
  }));
  await expectRefused('extra account', file, 1, new RegExp(`lists account ${extra}, which nothing in the block touched`));
});

test('a slot nothing read is listed: exit 1 naming the slot', fullOnly, async () => {
  const file = writeJson('extra-slot', tampered((bal) => {
    const account = bal.find((a) => a.storageReads.length > 0 || a.storageChanges.length > 0)!;
    account.storageReads = [...account.storageReads, ('0x' + 'ab'.repeat(32)) as `0x${string}`];
  }));
  await expectRefused('extra slot', file, 1, /lists .*slot.*which nothing in the block read or wrote/);
});

test('truncated RLP and unsorted JSON: exit 2, not a valid block access list', async () => {
  const truncated = join(dir, 'truncated.rlp');
  const bytes = readFileSync(rlpFile);
  writeFileSync(truncated, bytes.subarray(0, bytes.length - 7));
  await expectRefused('truncated RLP', truncated, 2, /not a valid block access list \(RLP\)/);
  const unsorted = writeJson('unsorted', tampered((bal) => bal.reverse()));
  await expectRefused('unsorted JSON', unsorted, 2, /not a valid block access list \(JSON\)/);
});

test('a wrong hash: exit 1, the list does not hash to what was expected', async () => {
  await expectRefused('wrong hash', rlpFile, 1, /hashes to 0x[0-9a-f]{64}, not the expected/, ['--bal-hash', '0x' + '00'.repeat(32)]);
});

test('--bal without --scheduler bal is a usage error', async () => {
  const run = await stm(['replay', '--block', BLOCK, '--bal', rlpFile, ...RUN], {});
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^stm: --bal and --bal-hash are for --scheduler bal/);
});
