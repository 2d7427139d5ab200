import { z } from 'zod';

/*
 * How one variable's text becomes a value: the building blocks of the service's schema
 * (src/config.ts) and of the tests' own readers (test-environment.ts). An empty or blank value
 * counts as unset; a value refused stops start-up with a ConfigError that names the variable.
 */

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export const MAX_INT32 = 2 ** 31 - 1;

/** A variable's text, trimmed; undefined when unset, empty or blank. */
export const unset = z
  .string()
  .optional()
  .transform((value) => {
    const trimmed = value?.trim();
    return trimmed === '' ? undefined : trimmed;
  });

type Ctx = z.RefinementCtx;

/** Refuses the value with a sentence that follows the variable's name. */
export function refuse(ctx: Ctx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/** A variable read by `parse` when set, `fallback` when not. */
export function setting<T>(fallback: T, parse: (raw: string, ctx: Ctx) => T) {
  return unset.transform((raw, ctx): T => (raw === undefined ? fallback : parse(raw, ctx)));
}

export const text = <T extends string | undefined>(fallback: T) => setting<string | T>(fallback, (raw) => raw);

export function integer(fallback: number, min: number, max: number) {
  return setting(fallback, (raw, ctx) =>
    /^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max ? Number(raw) : refuse(ctx, `must be a whole number from ${min} to ${max}, not "${raw}"`),
  );
}

export function decimal(fallback: number, min: number, max: number) {
  return setting(fallback, (raw, ctx) =>
    /^\d*\.?\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max ? Number(raw) : refuse(ctx, `must be a number from ${min} to ${max}, not "${raw}"`),
  );
}

export function flag(fallback: boolean) {
  return setting(fallback, (raw, ctx) => {
    const word = raw.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(word)) return true;
    if (['false', '0', 'no', 'off'].includes(word)) return false;
    return refuse(ctx, `must be true or false, not "${word}"`);
  });
}

export function choice<T extends string, F extends T | undefined>(options: readonly T[], fallback: F) {
  return setting<T | F>(fallback, (raw, ctx) =>
    (options as readonly string[]).includes(raw) ? (raw as T) : refuse(ctx, `must be one of ${options.join(', ')}, not "${raw}"`),
  );
}

/** A URL with one of `schemes` (with `list`: a comma-separated list of them), or undefined. */
export function url(schemes: readonly string[], list = false) {
  return setting<string | undefined>(undefined, (raw, ctx) => {
    for (const part of list ? raw.split(',') : [raw]) {
      const parsed = URL.parse(part.trim());
      if (!parsed || !schemes.includes(parsed.protocol)) {
        return refuse(ctx, `must be a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}, not "${part.trim()}"`);
      }
    }
    return raw;
  });
}

/** One variable read by its schema, outside an object schema (the tests' own variables). */
export function readOne<T>(schema: z.ZodType<T, string | undefined>, env: Env, name: string): T {
  const parsed = schema.safeParse(env[name]);
  if (parsed.success) return parsed.data;
  throw new ConfigError(name, parsed.error.issues[0]!.message);
}
