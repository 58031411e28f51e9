import { loadBlock } from '../dist/src/data/blockLocator.js';
import { createBlockContext } from '../dist/src/exec/blockContext.js';
import { ReplayVm } from '../dist/src/exec/replayVm.js';
import { runSerial } from '../dist/src/exec/serialExecutor.js';
import { verifyBlock } from '../dist/src/verify/verifyBlock.js';
import { readFileSync } from 'node:fs';
const dir = '/work/shared/fixtures/ethereum';
const manifest = JSON.parse(readFileSync(dir + '/manifest.json'));
const only = process.argv.slice(2).map(BigInt);
let ok = 0, bad = 0;
for (const e of manifest) {
  const n = BigInt(e.number);
  if (only.length && !only.includes(n)) continue;
  try {
    const data = loadBlock(n, { fixturesDir: dir });
    const ctx = createBlockContext(data);
    const vm = await ReplayVm.create(ctx);
    let run = await runSerial(vm);
    run = await runSerial(vm);
    const v = await verifyBlock(ctx, run.txs);
    const gas = Number(e.gasUsed);
    const mgas = gas / 1e3 / run.executionMs;
    if (v.ok) ok++; else bad++;
    console.log(n, ctx.hardfork, e.txCount, v.ok ? 'OK' : 'FAIL', v.gas.status, v.logsBloom.status, v.receiptsRoot.status, run.executionMs.toFixed(1) + 'ms', mgas.toFixed(1) + 'Mgas/s', v.ok ? '' : JSON.stringify(v.gas) + ' unlisted=' + JSON.stringify(run.state.unlistedReads.slice(0, 3)));
  } catch (err) {
    bad++;
    console.log(n, 'ERROR', err.shortMessage ?? err.message, err.stack?.split('\n').slice(0, 4).join(' | '));
  }
}
console.log(`${ok} verified, ${bad} failed`);
