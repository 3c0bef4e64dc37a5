/**
 * Reading a worker's settings from its environment: one wording for every
 * worker, so an operator sees the same message for the same mistake.
 */

/** A setting the process cannot start with; workers exit with its message. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A variable's value, trimmed; unset or blank is undefined. */
export function envText(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A whole number from `min` to `max`, or `fallback` when unset; anything else is a ConfigError naming the variable. */
export function envInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = envText(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  return value;
}

/** true/false (also 1/0, yes/no), or `fallback` when unset; anything else is a ConfigError naming the variable. */
export function envBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = envText(env[name])?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got ${JSON.stringify(env[name])})`);
}
