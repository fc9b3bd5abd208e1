import { existsSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { requireChromium, runChromium } from './headless-chromium.js';

/**
 * The /docs pages in a real browser: Swagger UI must load from this origin under the page's CSP, fetch the
 * document and render every operation. A CSP too strict for Swagger UI, a missing asset or a document it
 * cannot read shows up here and nowhere else. Screenshots are kept for a human to look at.
 */
describe('API docs in headless Chromium', () => {
  let stack: TestStack;
  let screenshots: string;

  beforeAll(async () => {
    requireChromium();
    stack = await startTestStack();
    screenshots = await mkdtemp(join(tmpdir(), 'portcullis-docs-'));
  }, 30_000);
  afterAll(async () => stack?.close());

  /** Swagger UI's rendered operations: `<span class="opblock-summary-path" data-path="/items/{id}">`. */
  const renderedOperations = (dom: string) =>
    [
      ...dom.matchAll(/class="opblock opblock-(get|post|put|patch|delete)[^"]*"[\s\S]*?data-path="([^"]+)"/g),
    ].map(([, method, path]) => `${method?.toUpperCase()} ${path}`);

  async function checkDocs(name: string, baseUrl: string, expected: string[]) {
    const { output: dom, console: messages } = await runChromium(`${baseUrl}/docs`, ['--dump-dom']);
    expect(messages.filter((line) => /Content Security Policy|Refused to/.test(line))).toEqual([]);
    expect(messages.filter((line) => /Uncaught|Failed to load/.test(line))).toEqual([]);
    expect(dom).toContain('class="swagger-ui"');
    const operations = renderedOperations(dom);
    expect(operations).toEqual(expect.arrayContaining(expected));
    // The token endpoint is documented on every API, served by the issuer.
    expect(operations).toContain('POST /token');

    const screenshot = join(screenshots, `${name}.png`);
    await runChromium(`${baseUrl}/docs`, [`--screenshot=${screenshot}`]);
    expect(existsSync(screenshot) && statSync(screenshot).size).toBeGreaterThan(10_000);
    console.info(`${name} docs screenshot: ${screenshot}`);
  }

  it('renders the items API operations', async () => {
    await checkDocs('items-api', stack.api.url, [
      'GET /items',
      'POST /items',
      'GET /items/{id}',
      'PATCH /items/{id}',
      'DELETE /items/{id}',
      'GET /items/statistics',
      'GET /me',
    ]);
  }, 120_000);

  it('renders the admin API operations', async () => {
    await checkDocs('admin-api', stack.auth.adminUrl, [
      'GET /users',
      'POST /users',
      'GET /users/{id}',
      'DELETE /users/{id}/roles/{role}',
      'GET /roles',
      'GET /keys',
    ]);
  }, 120_000);
});
