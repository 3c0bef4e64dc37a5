import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runtimeClosure } from './runtime-files';

/**
 * The environment variables a package's source reads, found the ways this
 * code base reads them: `process.env.X`, `env.X`, `env['X']`, a zod env
 * schema key (`X: z.…`), or the name as a whole string literal handed to a
 * helper (`fromEnv('X')`, `integer(env, 'X', …)`, `const VAR = 'X'`).
 * Comments are ignored, so a variable merely mentioned in prose does not count.
 */
const ENV_NAME = '[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+';
const PATTERNS = [
  new RegExp(`\\benv\\??\\.(${ENV_NAME})\\b`, 'g'),
  new RegExp(`\\benv\\[\\s*['"\`](${ENV_NAME})['"\`]\\s*\\]`, 'g'),
  new RegExp(`^\\s*(${ENV_NAME})\\s*:\\s*z\\.`, 'gm'),
  new RegExp(`(['"\`])(${ENV_NAME})\\1`, 'g'),
];

export function envVariablesInSource(code: string): Set<string> {
  const found = new Set<string>();
  const stripped = stripComments(code);
  for (const pattern of PATTERNS) {
    for (const match of stripped.matchAll(pattern)) {
      const name = match[match.length - 1]!;
      found.add(name);
    }
  }
  return found;
}

/** Variables read by the `src` of the package in `dir` and of every workspace library it depends on at run time. */
export function envVariablesReadByApp(root: string, dir: string): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const pkg of runtimeClosure(root, [dir])) {
    for (const file of sourceFiles(path.join(root, pkg.dir, 'src'))) {
      for (const name of envVariablesInSource(readFileSync(file, 'utf8'))) {
        readers.set(name, [...(readers.get(name) ?? []), path.relative(root, file)]);
      }
    }
  }
  return readers;
}

function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/**
 * Removes line and block comments, keeping string and template literals (a
 * `//` inside a URL string is not a comment). Good enough for TypeScript
 * source; regular expression literals containing quotes are rare here.
 */
export function stripComments(code: string): string {
  let out = '';
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    const next = code[i + 1];
    if (c === '/' && next === '/') {
      while (i < code.length && code[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = code.indexOf('*/', i + 2);
      i = end === -1 ? code.length : end + 2;
    } else if (c === '"' || c === "'" || c === '`') {
      const start = i++;
      while (i < code.length && code[i] !== c) i += code[i] === '\\' ? 2 : 1;
      out += code.slice(start, ++i);
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
