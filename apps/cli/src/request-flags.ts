import type { z } from 'zod';
import { isSynapseError, parseInput } from '@synapse/contracts';
import { badInput } from './cli-error';

/**
 * Parses a request built from flags with the schema its workflow uses, so
 * the CLI accepts exactly what the workflow accepts. A refusal lists every
 * bad field with the flag that sets it, exit code 2, and nothing is started.
 */
export function parseRequestFlags<S extends z.ZodType>(schema: S, input: unknown, what: string, flagFor: (field: string) => string): z.infer<S> {
  try {
    return parseInput(schema, input, what);
  } catch (err) {
    if (!isSynapseError(err, 'InvalidInput')) throw err;
    const issues = (err.details.issues as { field: string; message: string }[] | undefined) ?? [];
    const lines = issues.map(({ field, message }) => `  ${field} (${flagFor(field)}): ${inPlainWords(message)}`);
    throw badInput(`invalid ${what}; nothing was started:\n${lines.join('\n') || `  ${err.message}`}`);
  }
}

/** The schema library's wording where an operator would not use it: a flag that is not a number is "not a number". */
function inPlainWords(message: string): string {
  if (/expected number, received NaN/.test(message)) return 'not a number';
  return message;
}
