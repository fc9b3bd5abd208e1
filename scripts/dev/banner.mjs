// @ts-check

/**
 * What `npm start` prints once the servers answer: where they are and a working curl line per grant.
 * Demo credentials are printed in development only (this launcher runs nothing else).
 * @param {{ issuer: string, resource: string, notes: string[],
 *   credentials: { users: { username: string, password: string, roles: string[] }[],
 *     clients: { clientId: string, clientSecret: string, grantTypes: string[], introspection?: boolean }[] }
 *     | undefined }} input
 * @returns {string}
 */
export function renderBanner({ issuer, resource, notes, credentials }) {
  const lines = ['', 'Portcullis is running (development mode).', ...notes.map((note) => `  ${note}`)];
  lines.push(`  auth-server: ${issuer}   discovery: ${issuer}/.well-known/openid-configuration`);
  lines.push(`  resource-server (items API): ${resource}   access tokens are audienced to it`);
  const adminUrl = `http://127.0.0.1:${process.env.ADMIN_PORT ?? '4100'}`;
  lines.push(`  admin API: ${adminUrl} (loopback only)   docs: ${adminUrl}/docs`);
  lines.push(`  API docs for the items API: ${resource}/docs`, '');
  if (!credentials)
    return [...lines, 'No demo credentials: .data/demo-credentials.json is missing.'].join('\n');
  const web = credentials.clients.find((client) => client.clientId === 'demo-web');
  const service = credentials.clients.find((client) => client.clientId === 'demo-service');
  const alice = credentials.users.find((user) => user.username === 'alice');
  const admin = credentials.clients.find((client) => client.clientId === 'demo-admin');
  const introspector = credentials.clients.find((client) => client.introspection === true);
  lines.push('Demo users (password):');
  for (const user of credentials.users)
    lines.push(`  ${user.username.padEnd(6)} ${user.password}   roles: ${user.roles.join(', ')}`);
  lines.push('Demo clients (secret):');
  const idWidth = Math.max(...credentials.clients.map((client) => client.clientId.length));
  for (const client of credentials.clients)
    lines.push(
      `  ${client.clientId.padEnd(idWidth)} ${client.clientSecret}   grants: ${client.grantTypes.join(', ')}${client.introspection ? '; may introspect tokens' : ''}`,
    );
  if (web && service && alice) {
    lines.push(
      '',
      'Get a token:',
      '  # client_credentials (a back-end service)',
      `  curl -s -u ${service.clientId}:${service.clientSecret} -d grant_type=client_credentials -d scope=items:read ${issuer}/token`,
      '  # password (the first-party web app logging alice in)',
      `  curl -s -u ${web.clientId}:${web.clientSecret} -d grant_type=password -d username=${alice.username} --data-urlencode password=${alice.password} -d 'scope=items:read items:write' ${issuer}/token`,
      '  # refresh_token (use the refresh_token from the previous answer; each one works once)',
      `  curl -s -u ${web.clientId}:${web.clientSecret} -d grant_type=refresh_token -d refresh_token=REFRESH_TOKEN ${issuer}/token`,
      '',
      'Call the items API with a token:',
      `  TOKEN=$(curl -s -u ${service.clientId}:${service.clientSecret} -d grant_type=client_credentials -d 'scope=items:read items:write' ${issuer}/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
      `  curl -s -H "Authorization: Bearer $TOKEN" ${resource}/me`,
      `  curl -s -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"first item"}' ${resource}/items`,
      `  curl -s -H "Authorization: Bearer $TOKEN" ${resource}/items`,
      `  curl -si -X DELETE -H "Authorization: Bearer $TOKEN" ${resource}/items/ITEM_ID   # 403: demo-service has no items:delete`,
    );
    if (introspector) {
      lines.push(
        '',
        'Ask about a token as a resource server (RFC 7662), then revoke it as its client (RFC 7009):',
        `  curl -s -u ${introspector.clientId}:${introspector.clientSecret} --data-urlencode token=$TOKEN ${issuer}/token/introspection`,
        `  curl -s -u ${service.clientId}:${service.clientSecret} --data-urlencode token=$TOKEN ${issuer}/token/revocation`,
        `  curl -s -H "Authorization: Bearer $TOKEN" ${resource}/me   # 401 invalid_token once the revocation has reached it`,
      );
    }
  }
  if (admin) {
    lines.push(
      '',
      'Administer it with the portcullis CLI (README, "Administering it"):',
      `  export PORTCULLIS_ADMIN_URL=${adminUrl} PORTCULLIS_CLIENT_ID=${admin.clientId} PORTCULLIS_CLIENT_SECRET=${admin.clientSecret}`,
      '  npx portcullis users list',
      '  npx portcullis audit --limit 10',
    );
  }
  lines.push('', 'Stop with Ctrl+C.');
  return lines.join('\n');
}
