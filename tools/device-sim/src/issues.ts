import type { z } from 'zod';

type Issue = z.ZodError['issues'][number];

/** `devices[1].credentials.password`: how a reader points at a field of the file. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), '');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

const withArticle = (kind: string) => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${withArticle(typeof value)} (${JSON.stringify(value)})`;
}

const UNIT: Record<string, string> = { string: ' characters', array: ' entries', set: ' entries' };

/**
 * One zod issue in plain words (`devices[0].credentials: missing, should be
 * an object`). Messages a schema wrote itself are already plain and kept;
 * zod's generic ones ("Invalid input: expected object, received undefined")
 * are reworded.
 */
export function plainIssue(issue: Issue, input: unknown): string {
  const where = issuePath(issue.path) || 'the file';
  return `${where}: ${plainMessage(issue, input)}`;
}

function plainMessage(issue: Issue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (!issue.message.startsWith('Invalid input')) return issue.message;
      const value = valueAt(input, issue.path);
      const expected = issue.expected === 'array' ? 'a list' : withArticle(issue.expected);
      return value === undefined ? `missing, should be ${expected}` : `should be ${expected}, not ${kindOf(value)}`;
    }
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    case 'invalid_value': {
      if (!issue.message.startsWith('Invalid option') && !issue.message.startsWith('Invalid input')) return issue.message;
      const allowed = issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      const value = valueAt(input, issue.path);
      return value === undefined ? `missing, should be ${allowed}` : `should be ${allowed}, not ${JSON.stringify(value)}`;
    }
    case 'too_big':
      if (!issue.message.startsWith('Too big')) return issue.message;
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}${UNIT[issue.origin] ?? ''}`;
    case 'too_small':
      if (!issue.message.startsWith('Too small')) return issue.message;
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}${UNIT[issue.origin] ?? ''}`;
    default:
      return issue.message;
  }
}

/** At most `limit` lines, then how many more there are: a file with a thousand bad devices stays readable. */
export function firstLines(lines: string[], limit: number): string[] {
  return lines.length <= limit ? lines : [...lines.slice(0, limit), `… and ${lines.length - limit} more`];
}
