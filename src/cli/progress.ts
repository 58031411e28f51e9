/**
 * Progress of a running command on stderr: an ora spinner when stderr is a terminal and
 * the output is not JSON; with --verbose and no spinner, one plain line per phase (for
 * logs); otherwise silence, until work runs long: then a line every HEARTBEAT_MS saying
 * what it is doing ("stm · generating … (still working, 30 s)"), so a gigagas synth or
 * retries against a dead node in CI are not mistaken for a hang. stdout is never
 * touched, so `--json` output stays clean.
 */
import ora, { type Ora } from 'ora';
import { stderrColors, stderrIsInteractive } from './terminal.js';

export interface ProgressOptions {
  json: boolean;
  verbose: boolean;
}

/** Without a spinner or --verbose, a line after this long without one ($STM_HEARTBEAT_MS overrides it). */
export const HEARTBEAT_MS = 15_000;

function heartbeatMs(): number {
  const given = Number(process.env.STM_HEARTBEAT_MS);
  return Number.isFinite(given) && given > 0 ? given : HEARTBEAT_MS;
}

export class Progress {
  private spinner: Ora | undefined;
  private lastPhase = '';
  private lastDetail = '';
  private readonly lines: boolean;
  private readonly started = performance.now();
  private readonly every = heartbeatMs();
  private lastLine = performance.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: ProgressOptions) {
    const spin = stderrIsInteractive() && !options.json;
    this.lines = !spin && options.verbose;
    if (spin) this.spinner = ora({ stream: process.stderr, discardStdin: false, isEnabled: true });
    this.silent = !spin && !this.lines;
  }

  /** No spinner and no --verbose lines: only heartbeats. */
  private readonly silent: boolean;

  /** Heartbeats also while the event loop waits (a node that does not answer): a timer, not only updates. */
  private arm(): void {
    if (!this.silent || this.timer !== undefined) return;
    this.timer = setInterval(() => this.heartbeat(), this.every / 3);
    this.timer.unref();
  }

  /** Silent mode: one line when nothing was said for HEARTBEAT_MS. */
  private heartbeat(): void {
    const now = performance.now();
    if (!this.silent || now - this.lastLine < this.every || this.lastPhase === '') return;
    this.lastLine = now;
    const detail = this.lastDetail === '' ? this.lastPhase : this.lastDetail;
    process.stderr.write(stderrColors.dim(`stm · ${detail} (still working, ${Math.round((now - this.started) / 1000)} s)`) + '\n');
  }

  /** A new phase ("loading block 19933597"). */
  phase(text: string): void {
    if (this.spinner !== undefined) {
      this.spinner.text = text;
      if (this.spinner.isSpinning) this.spinner.render();
      else this.spinner.start();
    } else if (this.lines && text !== this.lastPhase) {
      process.stderr.write(stderrColors.dim(`stm · ${text}`) + '\n');
    }
    this.lastPhase = text;
    this.lastDetail = '';
    this.arm();
    this.heartbeat();
  }

  /** The replay's progress callback: (phase, done, total). Lines mode prints each phase once. */
  readonly update = (phase: string, done: number, total: number): void => {
    if (this.spinner !== undefined) {
      this.spinner.text = `${phase} (${Math.min(done + 1, total)} of ${total})`;
      if (!this.spinner.isSpinning) this.spinner.start();
      // The replay may not yield to the event loop between calls; draw now.
      this.spinner.render();
    } else if (this.lines && phase !== this.lastPhase) {
      process.stderr.write(stderrColors.dim(`stm · ${phase}`) + '\n');
      this.lastPhase = phase;
    } else if (this.silent) {
      if (this.lastPhase === '') this.lastPhase = phase;
      this.lastDetail = `${phase} (${Math.min(done + 1, total)} of ${total})`;
      this.arm();
      this.heartbeat();
    }
  };

  /** Removes the spinner (before printing results or an error). */
  stop(): void {
    this.spinner?.stop();
    // Results (or an error) follow: no heartbeat may interleave with them.
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
