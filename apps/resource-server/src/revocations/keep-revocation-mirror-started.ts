import type { RevocationMirror } from '@portcullis/revocation';
import type { Logger } from '@portcullis/service-kit';

export interface KeepRevocationMirrorStartedOptions {
  logger: Logger;
  /** Pause between failed start attempts. */
  retryIntervalMs: number;
}

export interface RevocationMirrorStarter {
  /** Settles after the first attempt: true when the mirror started in sync. Never rejects. */
  readonly firstAttempt: Promise<boolean>;
  /** Stops retrying, waits for an attempt in flight, and stops the mirror. */
  stop(): Promise<void>;
}

/**
 * Starts the mirror, and when that fails (Redis unreachable, or holding no complete set until an auth server
 * reseeds it) keeps trying every `retryIntervalMs` in the background. Until it succeeds the mirror has never
 * synced, so every protected request answers 503 with Retry-After: the server fails closed but stays up, and
 * heals without a restart. Once started, the mirror rides out later Redis outages by itself.
 *
 * @example
 * const starter = keepRevocationMirrorStarted(mirror, { logger, retryIntervalMs: 1000 });
 * await starter.firstAttempt;
 */
export function keepRevocationMirrorStarted(
  mirror: RevocationMirror,
  options: KeepRevocationMirrorStartedOptions,
): RevocationMirrorStarter {
  const { logger, retryIntervalMs } = options;
  if (!Number.isInteger(retryIntervalMs) || retryIntervalMs < 1) {
    throw new TypeError(
      `keepRevocationMirrorStarted: retryIntervalMs must be a positive integer, got ${retryIntervalMs}`,
    );
  }
  let stopped = false;
  let wake: (() => void) | undefined;
  let settleFirst: (started: boolean) => void = () => undefined;
  const firstAttempt = new Promise<boolean>((resolve) => {
    settleFirst = resolve;
  });

  async function attempt(): Promise<boolean> {
    try {
      await mirror.start();
      return true;
    } catch (error) {
      return describeFailure(error);
    }
  }

  let failures = 0;
  function describeFailure(error: unknown): false {
    failures += 1;
    const details = { attempt: failures, error: messageOf(error) };
    // Loud once, then quiet: the retry runs every second for as long as Redis is away.
    if (failures === 1) {
      logger.warn(
        details,
        'revocation mirror not in sync: protected routes answer 503 until it is; retrying in the background',
      );
    } else logger.debug(details, 'revocation mirror start failed again');
    return false;
  }

  const running = (async () => {
    while (!stopped) {
      const started = await attempt();
      settleFirst(started);
      if (started) {
        logger.info({ entries: mirror.status().entries }, 'revocation mirror in sync');
        return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();

  return {
    firstAttempt,
    async stop() {
      stopped = true;
      wake?.();
      await running;
      settleFirst(false);
      await mirror.stop();
    },
  };
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // The mirror wraps the first load's failure; its cause says what actually went wrong.
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
