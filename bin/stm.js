#!/usr/bin/env node
// stm's launcher: runs the compiled CLI (dist/, built by `npm install` / `npm run build`).
let main;
try {
  ({ main } = await import('../dist/src/cli/main.js'));
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/src/cli/main.js')) {
    process.stderr.write('stm: not built yet; run `npm install` (or `npm run build`) in the stm folder first\n');
    process.exit(3);
  }
  throw error;
}
const code = await main(process.argv);
process.exitCode = code;
// Everything is flushed and shut down by now; do not let a stray handle keep the process alive.
setTimeout(() => process.exit(code), 2000).unref();
