// @ts-check

/**
 * Starts a server, hands it to `use`, and stops it whatever happens: one server process per subject.
 * @template {{ stop: () => Promise<void> }} S @template T
 * @param {Promise<S>} starting @param {(server: S) => Promise<T>} use @returns {Promise<T>}
 */
export async function withServer(starting, use) {
  const server = await starting;
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

/** `ours / baseline`, undefined when either is missing or the baseline is 0. @param {number | undefined} ours @param {number | undefined} baseline */
export function ratio(ours, baseline) {
  return ours === undefined || baseline === undefined || baseline === 0 ? undefined : ours / baseline;
}
