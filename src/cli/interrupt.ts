/**
 * Ctrl-C. A SIGINT handler only sets a flag; the replay calls `checkpoint` between
 * transactions and phases, which throws InterruptedError once the flag is set, so the
 * command unwinds through its `finally` blocks (workers shut down, spinner stopped) and
 * exits with 130. A second Ctrl-C exits at once.
 *
 * The handler runs on the event loop, so it is seen only when the replay yields to it; a
 * stretch of work that never yields (one serial replay phase) delays it to the end of
 * that stretch.
 */
import { InterruptedError } from '../errors.js';
import { ExitCode } from '../errors.js';

export class InterruptGuard {
  private signals = 0;

  /** Throws InterruptedError once Ctrl-C was pressed. Pass as `checkpoint`. */
  readonly checkpoint = (): void => {
    if (this.signals > 0) throw new InterruptedError();
  };

  private readonly onSignal = (): void => {
    this.signals++;
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
