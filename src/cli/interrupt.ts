/**
 * Ctrl-C. A SIGINT handler only sets a flag; the replay calls `checkpoint` between
 * transactions and phases, which throws InterruptedError once the flag is set, so the
 * command unwinds through its `finally` blocks (workers shut down, spinner stopped) and
 * exits with 130. A second Ctrl-C exits at once.
 *
 * The handler runs on the event loop, so it is seen only when the replay yields to it; a
 * stretch of work that never yields (one serial replay phase) delays it to the end of
 * that stretch.
 *
 * Waiting on a node is not work between checkpoints: `signal` is aborted (with an
 * InterruptedError as its reason) by the first Ctrl-C, and the RPC client hands it to
 * every request and backoff, so an in-flight fetch stops at once instead of completing.
 */
import { InterruptedError } from '../errors.js';
import { ExitCode } from '../errors.js';

export class InterruptGuard {
  private signals = 0;
  private readonly controller = new AbortController();

  /** Aborted by the first Ctrl-C; pass to whatever waits on the network. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Throws InterruptedError once Ctrl-C was pressed. Pass as `checkpoint`. */
  readonly checkpoint = (): void => {
    if (this.signals > 0) throw new InterruptedError();
  };

  private readonly onSignal = (): void => {
    this.signals++;
    if (this.signals === 1) this.controller.abort(new InterruptedError());
    if (this.signals > 1) {
      process.stderr.write('\nstm: interrupted\n');
      process.exit(ExitCode.interrupted);
    }
  };

  get interrupted(): boolean {
    return this.signals > 0;
  }

  install(): this {
    process.on('SIGINT', this.onSignal);
    return this;
  }

  uninstall(): void {
    process.off('SIGINT', this.onSignal);
  }
}
