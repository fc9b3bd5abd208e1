import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's package; CI installs it (.ci/run). CHROMIUM_PATH points elsewhere. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserRun {
  /** stdout: the serialized DOM with `--dump-dom`. */
  output: string;
  /** The page's console messages (CSP violations, uncaught errors), as Chromium logs them. */
  console: string[];
}

/** Throws, rather than letting a test skip, when the browser is not installed. */
export function requireChromium(): void {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `The /docs browser check needs Chromium at ${chromiumPath}: \`apt-get install -y chromium\` ` +
        '(or set CHROMIUM_PATH to another Chromium binary).',
    );
  }
}

/**
 * Loads a page in headless Chromium with a fresh profile and a virtual-time budget (the page's timers and
 * fetches run until it is spent, without waiting in real time), then exits. `mode` is `--dump-dom` or
 * `--screenshot=<path>`.
 */
export async function runChromium(url: string, mode: string[], timeoutMs = 60_000): Promise<BrowserRun> {
  requireChromium();
  const profile = await mkdtemp(join(tmpdir(), 'portcullis-chromium-'));
  try {
    const child = spawn(
      chromiumPath,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--disable-extensions',
        `--user-data-dir=${profile}`,
        '--enable-logging=stderr',
        '--v=0',
        '--window-size=1280,2000',
        '--virtual-time-budget=10000',
        ...mode,
        url,
      ],
      // Its own process group, so a hung browser and its helpers can be stopped together.
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
        reject(new Error(`chromium did not finish ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      child.on('error', reject);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    if (code !== 0) throw new Error(`chromium exited ${code} on ${url}:\n${log}`);
    const console = log.split('\n').filter((line) => line.includes(':CONSOLE'));
    return { output, console };
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
