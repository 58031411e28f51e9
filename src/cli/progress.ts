/**
 * Progress of a running command on stderr: an ora spinner when stderr is a terminal and
 * the output is not JSON; with --verbose and no spinner, one plain line per phase (for
 * logs); otherwise nothing. stdout is never touched, so `--json` output stays clean.
 */
import ora, { type Ora } from 'ora';
import { stderrColors, stderrIsInteractive } from './terminal.js';

export interface ProgressOptions {
  json: boolean;
  verbose: boolean;
}

export class Progress {
  private spinner: Ora | undefined;
  private lastPhase = '';
  private readonly lines: boolean;

  constructor(options: ProgressOptions) {
    const spin = stderrIsInteractive() && !options.json;
    this.lines = !spin && options.verbose;
    if (spin) this.spinner = ora({ stream: process.stderr, discardStdin: false, isEnabled: true });
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
    }
  };

  /** Removes the spinner (before printing results or an error). */
  stop(): void {
    this.spinner?.stop();
  }
}
