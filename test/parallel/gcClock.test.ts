// The GC clock counts a collection in the window it started in, not in the one its entry
// arrived in (entries reach the observer on a later turn of the event loop).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectYoungGeneration, gcEntriesArrived, gcMs, gcMsSince } from '../../src/parallel/gcClock.js';

test('a collection before `since` is not counted, even when its entry arrives after', async () => {
  gcMs();
  const before = performance.now();
  collectYoungGeneration();
  const since = performance.now(); // the collection's entry has not arrived yet
  await sleep(20);
  assert.ok(gcMs() > 0, 'the collection was observed');
  assert.ok(gcMsSince(before) > 0, 'counted from before it');
  assert.equal(gcMsSince(since), 0, 'not counted from after it');
  collectYoungGeneration();
  await sleep(20);
  assert.ok(gcMsSince(since) > 0, 'a collection after `since` is counted');
});

test('gcEntriesArrived: a collection made without returning to the event loop is on the clock after it', async () => {
  gcMs();
  await sleep(20);
  const since = performance.now();
  collectYoungGeneration(); // as a worker collects in the middle of a run of claims
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(gcMsSince(since), 0, 'one turn of the event loop is not enough (what the worker waited before)');
  await gcEntriesArrived();
  assert.ok(gcMsSince(since) > 0, 'there after gcEntriesArrived');
});
