/**
 * The command line: commands, options, defaults and help text with examples (commander).
 * Each command's work lives in commands/<name>.ts and is loaded only when that command
 * runs, so `stm --help` and `stm list` start fast.
 */
import { Command, Option } from 'commander';
import { toolVersion } from '../version.js';

/** Receives the exit code a command asks for. */
export type ExitCodeSink = (code: number) => void;

const MAIN_EXAMPLES = `
Examples:
  $ stm replay --block 19933597              replay a bundled block (offline) and print the report
  $ stm replay --block 19933597 --json       the same report as one JSON document
  $ stm replay --block 19933597 --tx 3       one transaction: reads, writes, dependencies
  $ stm replay --block 18085863 --fixtures ../shared/fixtures/ethereum
  $ stm list                                 the blocks bundled with stm
  $ stm fetch --block 19000000 --rpc URL     fetch a block from a node into the cache

Exit codes: 0 verified, 1 replay differs from the chain (or parallel from serial),
2 usage or input error, 3 environment or internal failure, 130 interrupted.
Docs: README.md, docs/cli.md, docs/metrics.md, docs/json-schema.md`;

const REPLAY_EXAMPLES = `
Examples:
  $ stm replay --block 19933597                       tables: verification, dependencies, ceilings
  $ stm replay --block 0x130299d --runs 10 --warmup 3 hex block number, more measured runs
  $ stm replay --block 19933597 --threads 4           ceiling(4) (and parallel on 4 threads)
  $ stm replay --block 19933597 --json > report.json  every figure and per-tx detail as JSON
  $ stm replay --block 19933597 --tx 3                transaction 3 (index or 0x hash) up close
  $ stm replay --block 19933597 --compare             Block-STM, OCC rounds, declared locks and the access list side by side
  $ stm replay --block 19933597 --scheduler bal --bal b.rlp   execute with a given access list (stm bal --out b.rlp)
  $ stm replay --block 19933597 --fallback            as a production executor: serial where parallel does not pay
  $ stm replay --block 5891667 --threads 2 --machine-bound   the speedup beside this machine's 2-thread bound
  $ stm replay --block 46147 --fixtures DIR           read the block from DIR/46147/ only
  $ stm replay --block 19000000 --rpc URL             fetch it from a node (once; cached after)

Where blocks are looked up: --fixtures DIR if given (only there); otherwise the cache
($STM_CACHE_DIR, default ~/.cache/stm/<chainId>/<N>/), then the fixtures bundled with stm;
with --rpc URL, the cache and then the node (the fetched block is cached). STM_RPC_URL is
asked when the block is found nowhere locally.`;

const FETCH_EXAMPLES = `
Examples:
  $ stm fetch --block 19000000 --rpc https://node.example/KEY   one block into the cache
  $ STM_RPC_URL=https://node.example/KEY stm fetch --range 19000000..19000009
  $ stm fetch --block 12 --rpc http://127.0.0.1:8545 --hardfork prague   a dev chain (anvil)
  $ stm replay --block 19000000 --chain-id 1                    afterwards: offline, from the cache

The cache is $STM_CACHE_DIR/<chainId>/<N>/ (default ~/.cache/stm). Exit codes: 0 fetched and
its check replay matched the node's receipts, 1 fetched but the replay differs, 2 usage or
input error (unknown block, wrong chain), 3 the node or network failed. Docs: docs/rpc.md`;

const BAL_EXAMPLES = `
Examples:
  $ stm bal --block 19933597                          hash, sizes, counts, the EIP's item cap
  $ stm bal --block 19933597 --out b.rlp              also write the list (RLP)
  $ stm bal --block 19933597 --out b.json --format json   the JSON form (Engine API names)
  $ stm bal --block 19933597 --json                   the figures as one JSON document
  $ stm replay --block 19933597 --scheduler bal --bal b.rlp   execute the block with it

The list is built from a serial replay verified against the chain (exit 1 when it does not
verify). Block sources as for stm replay (--fixtures, cache, bundled, --rpc). Docs: docs/bal.md`;

export function buildProgram(setExitCode: ExitCodeSink): Command {
  const program = new Command();
  program
    .name('stm')
    .description('Replay Ethereum blocks serially and on a Block-STM parallel executor: speedup, conflicts, ceilings.')
    .version(toolVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', MAIN_EXAMPLES)
    .showSuggestionAfterError(true);

  program
    .command('replay')
    .description('replay one block; print verification, dependencies, ceilings and parallel figures')
    // Checked by the command, not by commander: commander reports a missing required option
    // before an unknown one, so "--blok 5" would be told only that --block is missing.
    .option('--block <N>', 'block number, decimal or 0x hex (required)')
    .option('--fixtures <dir>', 'read the block from this folder of fixtures (DIR/<N>/block.json.gz …) and nowhere else')
    // Default (src/cli/commands/replay.ts): 3 measured rounds, the fewest whose median draws no
    // noise warning (MIN_RUNS), and more on a short block (MIN_MEASURED_MS of serial time).
    .option('--runs <n>', 'measured runs (median, min, max); default 3, and more on a short block or while the runs disagree (docs/metrics.md, "Speedup"); --runs N is exactly N, 5 or more for figures to publish')
    .option('--warmup <n>', 'warm-up runs before measuring (the executor gets more on a small block: docs/metrics.md, "Speedup")', '2')
    .option('--threads <T>', `threads for ceiling(T) and the parallel replay (default: this machine's cores)`)
    .option('--fallback', 'run the block serially where a production executor would (default: run the executor and only say so)', false)
    .addOption(new Option('--no-fallback', 'the default: run the executor even where a production one would not').hideHelp())
    .option('--no-commutative', 'Block-STM without commutative sender updates: every sender\'s balance and nonce read strictly (docs/metrics.md, "transfers commute")')
    .option('--machine-bound', "with --threads 2: also measure this machine's 2-thread bound in the same rounds (two serial replays at once) and the executor's share of it (docs/metrics.md, \"This machine's bound\")")
    .option('--scheduler <name>', 'parallel scheduler: blockstm, occ (Sei-style rounds), locks (declared locks, an oracle) or bal (with the block-level access list); docs/schedulers.md', 'blockstm')
    .option('--compare', 'run all four schedulers on the block and print them side by side with ceiling(T)')
    .option('--bal <file>', 'bal: execute with this access list (RLP or JSON, as stm bal --out writes) instead of the replay\'s')
    .option('--bal-hash <hash>', 'with --bal: fail (exit 1) unless the list hashes to this')
    .option('--max-rounds <n>', 'occ: rounds of parallel execution before the rest runs serially', '10')
    .option('--json', 'print one JSON document (docs/json-schema.md) instead of tables')
    .option('--tx <I>', 'show one transaction (index or hash): reads, writes, dependencies')
    .option('--rpc <url>', 'fetch the block from this node unless the cache has it (STM_RPC_URL: used when the block is not found locally)')
    .option('--chain-id <id>', 'the chain: picks the cache folder; with --rpc, must match the node (default: the node\'s, else 1)')
    .option('--hardfork <name>', 'rules for a chain without a profile (a dev chain such as anvil\'s 31337); docs/rpc.md')
    .option('--verbose', 'on error, show the cause chain; without a terminal, log each phase on stderr')
    .addHelpText('after', REPLAY_EXAMPLES)
    .action(async (options) => {
      const { runReplay } = await import('./commands/replay.js');
      setExitCode(await runReplay(options));
    });

  program
    .command('bal')
    .description("build the block's EIP-7928 block-level access list: hash, sizes, counts; --out writes it")
    .requiredOption('--block <N>', 'block number, decimal or 0x hex')
    .option('--fixtures <dir>', 'read the block from this folder of fixtures and nowhere else')
    .option('--out <file>', 'write the list to this file (RLP; --format json for the JSON form)')
    .option('--format <f>', 'rlp or json, for --out', 'rlp')
    .option('--bal-hash <hash>', 'fail (exit 1) unless the list hashes to this (keccak256 of its RLP)')
    .option('--json', 'print one JSON document (docs/json-schema.md) instead of a table')
    .option('--rpc <url>', 'fetch the block from this node unless the cache has it')
    .option('--chain-id <id>', 'the chain: picks the cache folder; with --rpc, must match the node')
    .option('--hardfork <name>', 'rules for a chain without a profile (a dev chain); docs/rpc.md')
    .option('--verbose', 'on error, show the cause chain')
    .addHelpText('after', BAL_EXAMPLES)
    .action(async (options) => {
      const { runBal } = await import('./commands/bal.js');
      setExitCode(await runBal(options));
    });

  program
    .command('fetch')
    .description('fetch blocks from a node into the cache (block, receipts, pre-state), so they replay offline')
    .option('--block <N>', 'one block, decimal or 0x hex')
    .option('--range <A..B>', 'blocks A to B inclusive')
    .option('--rpc <url>', 'the node (default: STM_RPC_URL); never printed or cached, it may hold an API key')
    .option('--chain-id <id>', 'refuse a node that serves another chain')
    .option('--hardfork <name>', 'rules for a chain without a profile (recorded with the block; default: from the header)')
    .option('--prestate <mode>', 'auto (debug tracers, else state read at N-1), trace, or lazy', 'auto')
    .option('--refresh', 'fetch again even when the cache holds the block')
    .option('--concurrency <n>', 'HTTP requests in flight at most', '4')
    .option('--timeout <ms>', 'per HTTP request', '30000')
    .option('--retries <n>', 'retries on 429, 5xx, resets, timeouts', '5')
    .option('--json', 'print the results as JSON')
    .option('--verbose', 'on error, show the cause chain; without a terminal, log each phase on stderr')
    .addHelpText('after', FETCH_EXAMPLES)
    .action(async (options) => {
      const { runFetch } = await import('./commands/fetch.js');
      setExitCode(await runFetch(options));
    });

  program
    .command('synth')
    .description('write a synthetic block (ETH transfers, ERC-20 transfers, AMM swaps) with a dependency graph known by construction')
    .option('--kind <kind>', 'eth, erc20, amm, mix or payout', 'erc20')
    .option('--txs <n>', 'exactly this many transactions (instead of --gas)')
    .option('--gas <gas>', 'fill the block up to this much gas, e.g. 1e9 for a gigagas block (default 30000000)')
    .option('--contention <f>', 'fraction of transactions touching a hot key, 0 to 1 (default 0: independent)')
    .option('--hot-keys <k>', 'hot accounts (eth), hot recipients (erc20) or hot pools (amm) (default 1)')
    .option('--txs-per-sender <s>', 'transactions per sender, chained through the nonce (default 1)')
    .option('--seed <n>', 'seed of every random choice and key (default 1)')
    .option('--block <N>', 'the block number, post-merge (default 90000000)')
    .option('--fee-recipient <addr>', 'the block\'s fee recipient (miner), e.g. a builder\'s address (default 0xc0ffee…c0de)')
    .option('--extra-data <text>', 'the header\'s extraData as text, at most 32 bytes, e.g. a builder\'s name (default "stm synth")')
    .option('--out <dir>', 'write the block to DIR/<N>/ (fixture format)', 'synth')
    .option('--json', 'print the summary as JSON')
    .option('--verbose', 'on error, show the cause chain; without a terminal, log each phase on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ stm synth --kind erc20 --txs 2000 --out /tmp/s      2,000 independent ERC-20 transfers
  $ stm replay --fixtures /tmp/s --block 90000000       replay it: zero dependencies
  $ stm synth --kind amm --contention 0.5 --hot-keys 4  half the swaps on 4 hot pools
  $ stm synth --kind eth --gas 1e9 --block 90000001     a 1-gigagas block of ETH transfers

Same options and seed give byte-identical files. Docs: docs/synth.md`,
    )
    .action(async (options) => {
      const { runSynth } = await import('./commands/synth.js');
      setExitCode(await runSynth(options));
    });

  program
    .command('bench')
    .description('time a suite of blocks serially and in parallel; with --baseline, fail on a speedup regression')
    .option('--suite <file>', 'the suite (JSON, docs/bench.md; default: the built-in CI suite, bench/ci-suite.json)')
    .option('--out <file>', 'write the report as JSON (docs/bench.md)')
    .option('--threads <list>', 'thread counts for every entry, e.g. 2 or 2,4 (default: the suite\'s)')
    .option('--runs <n>', 'measured runs per entry, serial and parallel interleaved (default: the suite\'s, 7)')
    .option('--warmup <n>', 'warm-up runs per entry (default: the suite\'s, 3)')
    .option('--json', 'print the report (and the comparison) as one JSON document')
    .option('--baseline <file>', 'compare with this report; exit 1 on a regression')
    .option('--max-regression <pct>', 'allowed drop of speedup and efficiency, share of the baseline (default: the suite\'s, 25%)')
    .option('--abs-tolerance <x>', 'allowed drop in absolute terms; the larger of the two applies (default: the suite\'s, 0.10)')
    .option('--update-baseline', 'write this run to the --baseline file (accept it deliberately)')
    .option('--confirm <n>', 'an entry that fails on timing alone is measured again up to n times and fails only if every measurement fails (default: the suite\'s, 2; 0: judge the first)')
    .option('--scheduler <name>', 'parallel scheduler for every entry: blockstm, occ or locks (default: the suite\'s, else blockstm)')
    .option('--fallback', 'let the executor fall back to serial (default: the suite\'s)')
    .option('--no-fallback', 'never fall back to serial: time the executor itself')
    .option('--no-machine-bound', "skip measuring this machine's 2-thread bound (the gate then compares raw speedups only)")
    .option('--verbose', 'on error, show the cause chain; without a terminal, log each phase on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ stm bench                                          the built-in suite, table on stdout
  $ stm bench --suite bench/ci-suite.json --out bench.json
  $ stm bench --suite bench/ci-suite.json --baseline bench/baseline.json    the CI gate
  $ stm bench --suite bench/ci-suite.json --baseline bench/baseline.json --update-baseline

Exit codes: 0 no regression, 1 regression (or parallel ≠ serial), 2 missing or malformed
suite or baseline, 3 environment or internal failure. Docs: docs/bench.md`,
    )
    .action(async (options) => {
      const { runBench } = await import('./commands/bench.js');
      setExitCode(await runBench(options));
    });

  program
    .command('analyze')
    .description('replay a range of blocks: what limits parallelism and who causes it (tables, heatmap, JSON, HTML, simulation)')
    .option('--range <A..B>', 'blocks A to B inclusive')
    .option('--blocks <a,b,c>', 'a list of blocks')
    .option('--fixtures <dir>', 'read the blocks from this folder of fixtures and nowhere else')
    .option('--runs <n>', 'measured runs per block', '3')
    .option('--warmup <n>', 'warm-up runs per block', '1')
    .option('--threads <T>', `threads for ceiling(T) and the parallel replay (default: this machine's cores)`)
    .addOption(new Option('--no-parallel', 'do not run the parallel executor (dependencies and ceilings only)'))
    .option('--fallback', 'run a block serially where a production executor would (default: run the executor and only say so)', false)
    .addOption(new Option('--no-fallback', 'the default: run the executor even where a production one would not').hideHelp())
    .option('--scheduler <name>', 'parallel scheduler: blockstm, occ or locks (docs/schedulers.md)', 'blockstm')
    .option('--heat <measure>', 'heatmap intensity: edges or conflicts', 'edges')
    .option('--simulate <T,…>', 'simulate the executor at these thread counts, e.g. 1,2,4,8,16,32,64 (docs/simulator.md)')
    .option('--what-if [K]', 'the K contracts and slots whose edges, made commutative, would raise the ceilings most (default K: 5)')
    .option('--results <file>', 'append each block\'s figures to FILE (JSON Lines) as it finishes; a rerun skips the blocks already there')
    .option('--from-results <files...>', 'make the report from results files alone, merging them (no replay)')
    .option('--jobs <n>', 'with --no-parallel: replay this many blocks at once on worker threads (default: this machine\'s cores; with --simulate their timed runs take turns)')
    .option('--shard <I/N>', 'only every N-th block of the range, starting at its I-th (split a range across machines)')
    .option('--json', 'print one JSON document (docs/analyze.md) instead of tables')
    .option('--html <file>', 'also write a self-contained HTML report to FILE')
    .option('--rpc <url>', 'fetch blocks from this node unless the cache has them')
    .option('--chain-id <id>', 'the chain: picks the cache folder; with --rpc, must match the node')
    .option('--hardfork <name>', 'rules for a chain without a profile')
    .option('--verbose', 'on error, show the cause chain; without a terminal, log each phase on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ stm analyze --blocks 5283152,7280000,18988207          three bundled blocks
  $ stm analyze --range 19000000..19000009 --rpc URL       ten blocks from a node (cached)
  $ stm analyze --blocks 19933597 --no-parallel --simulate 1,2,4,8,16,32,64
  $ stm analyze --blocks 5283152,7280000 --html report.html --json > report.json
  $ stm analyze --range 19000000..19009999 --rpc URL --no-parallel --results r.jsonl   resumable
  $ stm analyze --range 19000000..19009999 --no-parallel --shard 2/3 --results r2.jsonl
  $ stm analyze --from-results r1.jsonl r2.jsonl r3.jsonl --html report.html   one report from shards
  $ stm analyze --blocks 19933597,18988207 --no-parallel --what-if 5       what making hot contracts commutative buys

Exit codes: 0 every block ok; 1 a block failed to load or replay, differs from the chain,
or parallel differs from serial; 2 usage error, or every block failed with an input error;
3 every block failed with an environment error. Docs: docs/analyze.md`,
    )
    .action(async (options) => {
      const { runAnalyze } = await import('./commands/analyze.js');
      setExitCode(await runAnalyze(options));
    });

  program
    .command('list')
    .description('list the blocks bundled with stm (they replay offline)')
    .option('--json', 'print the list as JSON')
    .option('--verbose', 'on error, show the cause chain')
    .action(async (options: { json?: boolean }) => {
      const { runList } = await import('./commands/list.js');
      setExitCode(runList({ json: options.json === true }));
    });

  return program;
}
