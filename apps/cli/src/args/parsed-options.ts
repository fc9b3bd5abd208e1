import { UsageError } from '../cli-errors.js';

type RawValue = string | boolean | (string | boolean)[] | undefined;

/**
 * Typed access to parseArgs' values. Conversion failures are usage errors naming the option, so a typo
 * never reaches the API as a half-understood request.
 */
export class ParsedOptions {
  readonly #values: Readonly<Record<string, RawValue>>;
  constructor(values: Readonly<Record<string, RawValue>>) {
    this.#values = values;
  }

  has(name: string): boolean {
    return this.#values[name] !== undefined;
  }

  string(name: string): string | undefined {
    const value = this.#values[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** A repeatable option; each occurrence may also hold a comma- or space-separated list. */
  list(name: string): string[] {
    const value = this.#values[name];
    const occurrences = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return occurrences.flatMap((item) => String(item).split(/[\s,]+/)).filter((item) => item !== '');
  }

  flag(name: string): boolean {
    return this.#values[name] === true;
  }

  /** `--x` is true, `--no-x` false, neither undefined. */
  toggle(name: string): boolean | undefined {
    const value = this.#values[name];
    return typeof value === 'boolean' ? value : undefined;
  }

  integer(name: string, bounds: { min: number; max: number }): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < bounds.min || value > bounds.max) {
      throw new UsageError(`--${name} must be a whole number from ${bounds.min} to ${bounds.max}`);
    }
    return value;
  }
}
