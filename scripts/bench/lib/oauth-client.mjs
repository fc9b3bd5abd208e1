// @ts-check
import { basicAuthorization, createHttpClient } from './http-client.mjs';

/**
 * @typedef {{ clientId: string, clientSecret: string }} ClientCredentials
 */

/** @param {ClientCredentials} client */
export const clientAuthorization = (client) => basicAuthorization(client.clientId, client.clientSecret);

/**
 * Token-endpoint grants from this process, before a measurement: `count` answers of one grant with up to
 * `concurrency` in flight; any non-200 fails the whole batch.
 * @param {{ url: string, client: ClientCredentials, form: (index: number) => Record<string, string>,
 *   count: number, concurrency: number }} options
 * @returns {Promise<{ access_token: string, refresh_token?: string }[]>}
 */
export async function requestTokens({ url, client, form, count, concurrency }) {
  const http = createHttpClient(url, concurrency);
  const authorization = clientAuthorization(client);
  const answers = new Array(count);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        for (let index = next++; index < count; index = next++) {
          const answer = await http.send({
            method: 'POST',
            path: '/token',
            headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(form(index)).toString(),
          });
          if (answer.status !== 200) {
            throw new Error(`token endpoint answered ${answer.status}: ${answer.body.slice(0, 300)}`);
          }
          answers[index] = JSON.parse(answer.body);
        }
      }),
    );
  } finally {
    http.close();
  }
  return answers;
}

/**
 * `count` client_credentials access tokens. @param {string} url @param {ClientCredentials} client
 * @param {string} scope @param {number} count @param {number} [concurrency]
 */
export async function mintAccessTokens(url, client, scope, count, concurrency = 32) {
  const answers = await requestTokens({
    url,
    client,
    form: () => ({ grant_type: 'client_credentials', scope }),
    count,
    concurrency,
  });
  return answers.map((answer) => answer.access_token);
}

/**
 * `count` refresh tokens from password grants, users taken in turn (argon2 per grant: keep it small).
 * @param {string} url @param {ClientCredentials} client @param {{ username: string, password: string }[]} users
 * @param {string} scope @param {number} count
 */
export async function passwordRefreshTokens(url, client, users, scope, count) {
  const answers = await requestTokens({
    url,
    client,
    form: (index) => {
      const user = users[index % users.length];
      if (!user) throw new Error('no users to log in');
      return { grant_type: 'password', username: user.username, password: user.password, scope };
    },
    count,
    concurrency: 2,
  });
  return answers.map((answer) => {
    if (!answer.refresh_token) throw new Error('the password grant issued no refresh token');
    return answer.refresh_token;
  });
}
