// @ts-check

/**
 * Things to undo, newest first: servers, the database, Redis keys, temp files. `stopAll` runs each once,
 * whatever failed before it, and is safe to call again (Ctrl-C during a normal shutdown).
 * @returns {{ push: (stop: () => Promise<void>) => void, stopAll: () => Promise<void> }}
 */
export function createCleanupStack() {
  /** @type {(() => Promise<void>)[]} */
  const stack = [];
  /** @type {Promise<void> | undefined} */
  let stopping;
  return {
    push: (stop) => void stack.push(stop),
    stopAll: () =>
      (stopping ??= (async () => {
        for (let stop = stack.pop(); stop; stop = stack.pop()) await stop().catch(() => {});
        stopping = undefined;
      })()),
  };
}

/**
 * Runs `main` with a cleanup stack that is emptied on success, on failure and on Ctrl-C / SIGTERM; a
 * failure sets exit code 1 and prints one line.
 * @param {string} name
 * @param {(cleanups: ReturnType<typeof createCleanupStack>) => Promise<void>} main
 */
export function runWithCleanups(name, main) {
  const cleanups = createCleanupStack();
  let interrupted = false;
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.once(signal, () => {
      interrupted = true;
      process.stderr.write(`\n${name}: ${signal}, cleaning up\n`);
      void cleanups.stopAll().then(() => process.exit(130));
    });
  }
  main(cleanups)
    .then(() => cleanups.stopAll())
    .catch(async (error) => {
      // Ctrl-C reaches the children too: what fails after it is not news.
      if (interrupted) return;
      console.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      await cleanups.stopAll();
      process.exitCode = 1;
    });
}
