/** Which account routes are on (config.account). */
export interface AccountFeatures {
  selfRegistration: boolean;
  passwordChange: boolean;
  passwordReset: boolean;
}

/**
 * The account routes this configuration serves and their methods, for the public listener's 405 table
 * (http/public-route-methods.ts). A switched-off feature is left out: its paths answer 404, as if they
 * never existed.
 */
export function accountRouteMethods(features: AccountFeatures): Record<string, readonly string[]> {
  const routes: Record<string, readonly string[]> = { '/account/verify-email': ['POST'] };
  if (features.selfRegistration) {
    routes['/account/register'] = ['POST'];
    routes['/account/verification-email'] = ['POST'];
  }
  if (features.passwordChange) routes['/account/password'] = ['POST'];
  if (features.passwordReset) {
    routes['/account/password-reset'] = ['POST'];
    routes['/account/password-reset/confirm'] = ['POST'];
  }
  return routes;
}
