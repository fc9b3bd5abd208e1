import argon2 from 'argon2';

export interface Argon2Parameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or a malformed stored hash (argon2.verify throws on those). */
  verify(storedHash: string, password: string): Promise<boolean>;
  /** Spends the same time as a real verify, for unknown users (no username enumeration by timing). */
  verifyAgainstDecoy(password: string): Promise<false>;
  needsRehash(storedHash: string): boolean;
}

/**
 * argon2id with parameters from config (OWASP floor by default: m=19 MiB, t=2, p=1, ~30 ms on one core).
 * The decoy hash is made with the same parameters at start-up so unknown and known users cost the same.
 */
export async function createPasswordHasher(parameters: Argon2Parameters): Promise<PasswordHasher> {
  const options = { type: argon2.argon2id, ...parameters };
  const decoyHash = await argon2.hash(`decoy-${Math.random()}`, options);

  const verify = async (storedHash: string, password: string): Promise<boolean> => {
    try {
      return await argon2.verify(storedHash, password);
    } catch {
      return false;
    }
  };

  return {
    hash: (password) => argon2.hash(password, options),
    verify,
    async verifyAgainstDecoy(password) {
      await verify(decoyHash, password);
      return false;
    },
    needsRehash: (storedHash) => {
      try {
        return argon2.needsRehash(storedHash, options);
      } catch {
        return true;
      }
    },
  };
}
