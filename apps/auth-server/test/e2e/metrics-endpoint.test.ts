import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { testEnvironment } from '../support/test-environment.js';
import { type AuthServerProcess, startAuthServerProcess } from './auth-server-process.js';

/** The JSON log line with this message, once the process has written it (bounded wait). */
async function logLine(server: AuthServerProcess, message: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const line = server
      .output()
      .split('\n')
      .find((candidate) => candidate.includes(`"msg":"${message}"`));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`no "${message}" line in:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The built auth server's third listener: Prometheus metrics on loopback, on the port it logs
 * (METRICS_PORT=0 from startServiceProcess: any free port), separate from the public and admin ones.
 */
describe('auth-server metrics listener', () => {
  let database: TestDatabase;
  let server: AuthServerProcess;
  let metricsUrl: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startAuthServerProcess(testEnvironment(database.url));
    const listening = await logLine(server, 'metrics listening');
    expect(listening).toMatchObject({ host: '127.0.0.1', port: expect.any(Number) });
    expect(listening.port).not.toBe(0);
    metricsUrl = `http://127.0.0.1:${listening.port}`;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('serves GET /metrics with the public listener traffic and dependencies', async () => {
    expect((await fetch(`${server.url}/jwks`)).status).toBe(200);
    const response = await fetch(`${metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(
      /^portcullis_http_requests_total\{method="GET",route="jwks",status="200",service="auth-server"\} 1$/m,
    );
    expect(text).toMatch(/^portcullis_dependency_up\{dependency="postgres",service="auth-server"\} 1$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="auth-server"\} /m);
  });

  it('answers nothing else, and the public listener does not serve metrics', async () => {
    expect((await fetch(`${metricsUrl}/`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/metrics`, { method: 'POST' })).status).toBe(404);
    const publicAnswer = await fetch(`${server.url}/metrics`);
    expect(publicAnswer.status).toBe(404);
    expect(await publicAnswer.text()).not.toContain('portcullis_');
  });
});
