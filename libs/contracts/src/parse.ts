import { z } from 'zod';
import { SynapseError } from './errors';

/**
 * Parse a boundary input (workflow or activity argument, CLI flag, file) with
 * its schema. A failure is a non-retryable InvalidInput whose message names
 * every offending field, e.g. `deployConfig input: devices.0: Too small`.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(root)';
    return { field, message: issue.message };
  });
  const summary = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  throw new SynapseError('InvalidInput', `${what}: ${summary}`, { fields: issues.map((i) => i.field), issues });
}
