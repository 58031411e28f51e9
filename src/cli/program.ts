/**
 * The command line: commands, options, defaults and help text with examples (commander).
 * Each command's work lives in commands/<name>.ts and is loaded only when that command
 * runs, so `stm --help` and `stm list` start fast.
 */
import { Command, Option } from 'commander';
import { toolVersion } from './version.js';

/** Receives the exit code a command asks for. */
export type ExitCodeSink = (code: number) => void;

const MAIN_EXAMPLES = `
Examples:
  $ stm replay --block 19933597              replay a bundled block (offline) and print the report
  $ stm replay --block 19933597 --json       the same report as one JSON document
  $ stm replay --block 19933597 --tx 3       one transaction: reads, writes, dependencies
  $ stm replay --block 18085863 --fixtures ../shared/fixtures/ethereum
  $ stm list                                 the blocks bundled with stm

Exit codes: 0 verified, 1 replay differs from the chain (or parallel from serial),
2 usage or input error, 3 environment or internal failure, 130 interrupted.
Docs: README.md, docs/cli.md, docs/metrics.md, docs/json-schema.md`;

const REPLAY_EXAMPLES = `
Examples:
  $ stm replay --block 19933597                       tables: verification, dependencies, ceilings
  $ stm replay --block 0x1303c9d --runs 10 --warmup 3 hex block number, more measured runs
  $ stm replay --block 19933597 --threads 4           ceiling(4) (and parallel on 4 threads)
  $ stm replay --block 19933597 --json > report.json  every figure and per-tx detail as JSON
  $ stm replay --block 19933597 --tx 3                transaction 3 (index or 0x hash) up close
  $ stm replay --block 46147 --fixtures DIR           read the block from DIR/46147/ only

Where blocks are looked up: --fixtures DIR if given (only there); otherwise the cache
($STM_CACHE_DIR, default ~/.cache/stm/<chainId>/<N>/), then the fixtures bundled with stm.`;

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
    .requiredOption('--block <N>', 'block number, decimal or 0x hex')
    .option('--fixtures <dir>', 'read the block from this folder of fixtures (DIR/<N>/block.json.gz …) and nowhere else')
    .option('--runs <n>', 'measured runs (median, min, max)', '5')
    .option('--warmup <n>', 'warm-up runs before measuring', '2')
    .option('--threads <T>', `threads for ceiling(T) and the parallel replay (default: this machine's cores)`)
    .addOption(new Option('--no-fallback', 'never let the parallel executor fall back to serial'))
    .option('--json', 'print one JSON document (docs/json-schema.md) instead of tables')
    .option('--tx <I>', 'show one transaction (index or hash): reads, writes, dependencies')
    .option('--verbose', 'on error, show the cause chain; without a terminal, log each phase on stderr')
    .addHelpText('after', REPLAY_EXAMPLES)
    .action(async (options) => {
      const { runReplay } = await import('./commands/replay.js');
      setExitCode(await runReplay(options));
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
