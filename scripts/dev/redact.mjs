// @ts-check
// Error text for one-line messages that never carry a password from a connection URL.

/** The URL with its password replaced by ***. @param {string} url */
export function redactUrl(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return '(unparseable URL)';
  }
}

/** The password of `url` as written and decoded, to scrub from messages. @param {string} url */
export function secretsOf(url) {
  try {
    const { password } = new URL(url);
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}

/**
 * One line describing `error` (AggregateErrors from dual-stack connects have an empty message), with
 * `secrets` and any `//user:password@` removed. Duck-typed: errors from Node core fail `instanceof` under jest.
 * @param {unknown} error
 * @param {string[]} [secrets]
 */
export function errorLine(error, secrets = []) {
  let text = describe(error);
  for (const secret of secrets) if (secret) text = text.split(secret).join('***');
  return text
    .replace(/\/\/([^:/@\s]*):[^@\s]*@/g, '//$1:***@')
    .replace(/\s+/g, ' ')
    .trim();
}

/** @param {unknown} error @returns {string} */
function describe(error) {
  if (typeof error !== 'object' || error === null) return String(error);
  const { message, code, errors } = /** @type {{ message?: unknown, code?: unknown, errors?: unknown }} */ (
    error
  );
  if (Array.isArray(errors) && errors.length > 0 && !message)
    return [...new Set(errors.map(describe))].join('; ');
  if (typeof message === 'string' && message) return message;
  return typeof code === 'string' ? code : String(error);
}

/** Whether `error` says nothing listens there (ECONNREFUSED, also inside an AggregateError). @param {unknown} error */
export function isRefused(error) {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errors } = /** @type {{ code?: unknown, errors?: unknown }} */ (error);
  return code === 'ECONNREFUSED' || (Array.isArray(errors) && errors.length > 0 && errors.every(isRefused));
}
