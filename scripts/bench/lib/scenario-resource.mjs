// @ts-check
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../dev/free-port.mjs';
import { authServerEnv, resourceServerEnv } from './app-env.mjs';
import { startLoadWorker } from './load-client.mjs';
import { measureHttp } from './measure-http.mjs';
import { mintAccessTokens } from './oauth-client.mjs';
import { SERVER_CPU } from './pinning.mjs';
import { startApp } from './start-app.mjs';
import { startBaseline } from './start-baseline.mjs';
import { ratio, withServer } from './with-server.mjs';

/**
 * Scenario 1: GET /me through the full guard (verify, revocation check, rate limit) vs a bare Koa GET;
 * a token seen before (the same on every request) and a first-seen one (a different token on every
 * request, all minted beforehand); Express and Fastify with their JWT middleware on the same token.
 * @param {import('./scenario.mjs').ScenarioBench} bench @returns {Promise<import('./scenario.mjs').ScenarioResult>}
 */
export async function runResourceScenario(bench) {
  const { profile, settings, log } = bench;
  const worker = startLoadWorker(bench);
  const connections = profile.connections;
  const get = { path: '/me', connections };
  /** @param {string} name @param {NodeJS.ProcessEnv} env */
  const baseline = async (name, env) =>
    startBaseline({ name, env, port: await freePort(), cpu: SERVER_CPU, bench });
  try {
    const bare = await withServer(baseline('bare-koa', {}), (server) =>
      measureHttp({ bench, worker, server, label: 'bare Koa GET /me', load: get }),
    );

    // The token source and JWKS: off the measured core (it serves JWKS once per resource server).
    const authPort = await freePort();
    const env = authServerEnv(settings, authPort);
    return await withServer(
      startApp({ app: 'auth-server', name: 'jwks-auth-server', env, port: authPort, bench }),
      async (auth) => {
        const jwksUri = `${auth.url}/jwks`;
        const service = bench.credentials.client('demo-service');
        const [seen = ''] = await mintAccessTokens(auth.url, service, 'items:read', 1);
        const minted = performance.now();
        const tokens = await mintAccessTokens(auth.url, service, 'items:read', profile.firstSeenTokens, 32);
        const mintSeconds = (performance.now() - minted) / 1000;
        const mintNote = `first-seen: ${tokens.length} tokens minted beforehand in ${mintSeconds.toFixed(1)} s (${Math.round(tokens.length / mintSeconds)}/s, auth server unpinned); the runs are sized by that count`;
        log(`  ${mintNote}`);
        const tokensFile = join(bench.workDir, 'first-seen-tokens.json');
        writeFileSync(tokensFile, JSON.stringify(tokens));
        const bearer = { authorization: `Bearer ${seen}` };
        /** @param {string} name */
        const resourceServer = async (name) => {
          const port = await freePort();
          return startApp({
            app: 'resource-server',
            name,
            env: resourceServerEnv(settings, port, jwksUri),
            port,
            cpu: SERVER_CPU,
            bench,
          });
        };

        const ours = await withServer(resourceServer('resource-server-seen'), (server) =>
          measureHttp({
            bench,
            worker,
            server,
            label: 'resource server, token seen before',
            load: { ...get, headers: bearer },
          }),
        );
        // A few tokens stay unused as slack: autocannon builds each connection's first request ahead.
        const perRep = Math.floor((tokens.length * 0.9) / (profile.reps + 0.25));
        const amounts = {
          warmup: Math.floor(perRep / 4),
          rep: perRep,
          timeoutSeconds: Math.max(30, perRep / 200),
        };
        const firstSeen = await withServer(resourceServer('resource-server-first-seen'), (server) =>
          measureHttp({
            bench,
            worker,
            server,
            label: 'resource server, first-seen token',
            load: { ...get, tokensFile },
            preflightHeaders: bearer,
            amounts,
          }),
        );
        const reused = firstSeen.runs.reduce((sum, run) => sum + Number(run.tokensReused ?? 0), 0);
        const jwtEnv = { ISSUER: settings.issuer, AUDIENCE: settings.resource, JWKS_URI: jwksUri };
        const express = await withServer(baseline('express-jwt-bearer', jwtEnv), (server) =>
          measureHttp({
            bench,
            worker,
            server,
            label: 'Express + express-oauth2-jwt-bearer',
            load: { ...get, headers: bearer },
          }),
        );
        const fastify = await withServer(baseline('fastify-jwt', jwtEnv), (server) =>
          measureHttp({
            bench,
            worker,
            server,
            label: 'Fastify + @fastify/jwt',
            load: { ...get, headers: bearer },
          }),
        );
        const vsBare = (/** @type {number} */ rps) => ({ value: ratio(rps, bare.rps), of: 'bare Koa GET' });
        return {
          rows: [
            { subject: 'bare Koa GET /me (baseline)', measurement: bare },
            {
              subject: 'ours, token seen before',
              measurement: ours,
              ratios: [vsBare(ours.rps)],
              process: 'resource-server',
            },
            {
              subject: 'ours, first-seen token',
              measurement: firstSeen,
              ratios: [vsBare(firstSeen.rps)],
              process: 'resource-server',
              ...(reused > 0 ? { note: `${reused} requests reused a token` } : {}),
            },
            {
              subject: 'Express + express-oauth2-jwt-bearer',
              measurement: express,
              ratios: [vsBare(express.rps)],
            },
            { subject: 'Fastify + @fastify/jwt', measurement: fastify, ratios: [vsBare(fastify.rps)] },
          ],
          figures: {
            seenVsBare: ratio(ours.rps, bare.rps),
            firstSeenVsBare: ratio(firstSeen.rps, bare.rps),
            seenVsFastify: ratio(ours.rps, fastify.rps),
            seenVsExpress: ratio(ours.rps, express.rps),
          },
          notes: [
            mintNote,
            ...(reused > 0 ? [`first-seen: ${reused} requests reused a token (the list ran out)`] : []),
          ],
        };
      },
    );
  } finally {
    await worker.stop();
  }
}
