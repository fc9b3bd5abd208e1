import type { EmailMessage } from '../email/email-transport.js';

/**
 * The texts of account emails. Links carry the token in the fragment (`#token=`): a browser never sends a
 * fragment to a server, so it stays out of access logs and Referer headers of whatever page the link opens.
 * There is no page of ours behind ACCOUNT_LINK_BASE_URL: an operator points it at their own front end, which
 * reads the fragment and makes the POST the message also spells out for a client without one.
 */

export interface AccountLinks {
  /** ACCOUNT_LINK_BASE_URL, no trailing slash. */
  linkBaseUrl: string;
  /** The public listener, where the POSTs go. */
  issuer: string;
}

export function verificationMessage(
  links: AccountLinks,
  to: string,
  token: string,
  ttlSeconds: number,
): EmailMessage {
  return {
    to,
    subject: 'Confirm your email address',
    text: [
      'Someone (hopefully you) created an account with this email address.',
      '',
      `To confirm it, open this link within ${duration(ttlSeconds)}:`,
      `${links.linkBaseUrl}/verify-email#token=${token}`,
      '',
      `Or send {"token":"${token}"} as JSON to POST ${links.issuer}/account/verify-email.`,
      '',
      'If you did not ask for an account, ignore this message: nothing happens without the link.',
    ].join('\n'),
  };
}

/** To the owner of an address someone tried to register again: no link, just what to do. */
export function alreadyRegisteredMessage(links: AccountLinks, to: string): EmailMessage {
  return {
    to,
    subject: 'You already have an account',
    text: [
      'Someone (hopefully you) tried to create an account with this email address, which already has one.',
      '',
      `If you forgot your password, ask for a reset at POST ${links.issuer}/account/password-reset.`,
      'If it was not you, ignore this message: your account has not changed.',
    ].join('\n'),
  };
}

export function passwordResetMessage(
  links: AccountLinks,
  to: string,
  token: string,
  ttlSeconds: number,
): EmailMessage {
  return {
    to,
    subject: 'Reset your password',
    text: [
      'Someone (hopefully you) asked to reset the password of the account with this email address.',
      '',
      `To choose a new password, open this link within ${duration(ttlSeconds)}:`,
      `${links.linkBaseUrl}/reset-password#token=${token}`,
      '',
      `Or send {"token":"${token}","newPassword":"..."} as JSON to POST ${links.issuer}/account/password-reset/confirm.`,
      '',
      'Only the newest link works. A reset signs the account out everywhere.',
      'If you did not ask for it, ignore this message: your password has not changed.',
    ].join('\n'),
  };
}

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} seconds`;
}
