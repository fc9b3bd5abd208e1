import { z } from 'zod';
import { ApiError, AuthError } from '../cli-errors.js';
import { sendRequest } from '../http/send-request.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface IssuedToken {
  accessToken: string;
  expiresAt: Date;
  scope: string | undefined;
}

const tokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, 'must be Bearer'),
  expires_in: z.number().int().positive(),
  scope: z.string().optional(),
});

const oauthError = z.looseObject({ error: z.string(), error_description: z.string().optional() });

/**
 * RFC 6749 §4.4 client_credentials with client_secret_basic (the default a Portcullis client is created
 * with) and an RFC 8707 resource indicator, so the token's audience is the admin API and nothing else.
 */
export async function requestClientToken(
  tokenEndpoint: string,
  credentials: ClientCredentials,
  request: { scope: string; resource: string },
  timeoutMs: number,
  now: Date,
): Promise<IssuedToken> {
  const answer = await sendRequest(
    tokenEndpoint,
    {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuthorization(credentials),
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...request }),
    },
    timeoutMs,
  );
  if (answer.status === 200) {
    const parsed = tokenResponse.safeParse(answer.json);
    if (!parsed.success) throw new AuthError(`the token endpoint answered something that is not a token`);
    return {
      accessToken: parsed.data.access_token,
      expiresAt: new Date(now.getTime() + parsed.data.expires_in * 1000),
      scope: parsed.data.scope,
    };
  }
  const error = oauthError.safeParse(answer.json);
  const code = error.success ? error.data.error : `HTTP ${answer.status}`;
  const description =
    error.success && error.data.error_description ? `: ${error.data.error_description}` : '';
  // A busy or broken server is not a credentials problem: report it like any API failure.
  if (answer.status === 429 || answer.status >= 500) {
    throw new ApiError(answer.status, `the token endpoint failed (${code}${description})`);
  }
  throw new AuthError(
    `the authorization server refused client "${credentials.clientId}": ${code}${description}`,
    [
      ...(code === 'invalid_client' ? ['  check the client id and secret'] : []),
      ...(code === 'invalid_scope' || code === 'invalid_target'
        ? ['  the client must be allowed the "admin" scope and the client_credentials grant']
        : []),
    ],
  );
}

/** RFC 6749 §2.3.1: each part is form-urlencoded before base64. */
function basicAuthorization({ clientId, clientSecret }: ClientCredentials): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}
