import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * docker-compose.yml as Compose reads it: YAML with merge keys (`<<: *anchor`),
 * then `${VAR}` interpolation from the environment (and the project's .env).
 * Only what the checks need; the Compose specification is the reference:
 * `$$` is a literal `$`; `${VAR:-default}` (unset or empty), `${VAR-default}`
 * (unset), `${VAR:?message}` / `${VAR?message}` (required),
 * `${VAR:+alternative}` / `${VAR+alternative}`; defaults may nest `${…}`.
 */
export type ComposeDocument = Record<string, unknown>;

export function parseCompose(text: string): ComposeDocument {
  const document: unknown = parse(text, { merge: true });
  if (!isRecord(document)) throw new Error('a Compose file must be a mapping at the top level');
  return document;
}

export function loadCompose(file: string): ComposeDocument {
  return parseCompose(readFileSync(file, 'utf8'));
}

export interface VariableReference {
  name: string;
  /** The `:-`/`-` default, itself interpolated with no variables set. */
  fallback?: string;
  required: boolean;
}

export class InterpolationError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Substitutes every variable in `value`; `env` plays the shell plus .env. */
export function interpolate(value: string, env: Readonly<Record<string, string | undefined>> = {}): string {
  return scan(value, env, () => undefined);
}

/** Every variable a value refers to, defaults included (nested ones too). */
export function variablesIn(value: string): VariableReference[] {
  const found: VariableReference[] = [];
  scan(value, NO_CHECK, (reference) => found.push(reference));
  return found;
}

function scan(value: string, env: Readonly<Record<string, string | undefined>>, onReference: (reference: VariableReference) => void): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = matchingBrace(value, i + 1);
      if (end === -1) throw new InterpolationError(`unclosed \${ in "${value}"`);
      out += substitute(value.slice(i + 2, end), env, onReference, value);
      i = end + 1;
    } else {
      const name = NAME.exec(value.slice(i + 1))?.[0];
      if (!name) {
        out += '$';
        i++;
        continue;
      }
      onReference({ name, required: false });
      out += env[name] ?? '';
      i += 1 + name.length;
    }
  }
  return out;
}

function substitute(body: string, env: Readonly<Record<string, string | undefined>>, onReference: (reference: VariableReference) => void, whole: string): string {
  const name = NAME.exec(body)?.[0];
  if (!name) throw new InterpolationError(`"\${${body}}" in "${whole}" does not start with a variable name`);
  const rest = body.slice(name.length);
  const current = env[name];
  const operator = /^(:-|-|:\?|\?|:\+|\+)?/.exec(rest)![0];
  const argument = rest.slice(operator.length);
  if (operator === '' && argument !== '') throw new InterpolationError(`"\${${body}}" in "${whole}" has an unknown modifier "${argument}"`);
  const nested = (text: string) => scan(text, env, onReference);
  switch (operator) {
    case '':
      onReference({ name, required: false });
      return current ?? '';
    case ':-':
    case '-': {
      onReference({ name, fallback: scan(argument, NO_CHECK, () => undefined), required: false });
      const useFallback = operator === ':-' ? current === undefined || current === '' : current === undefined;
      return useFallback ? nested(argument) : current!;
    }
    case ':?':
    case '?': {
      onReference({ name, required: true });
      const missing = operator === ':?' ? current === undefined || current === '' : current === undefined;
      if (missing && env !== NO_CHECK) throw new InterpolationError(`${name}: ${nested(argument) || 'required variable is not set'}`);
      return current ?? '';
    }
    default: {
      onReference({ name, required: false });
      const set = operator === ':+' ? current !== undefined && current !== '' : current !== undefined;
      return set ? nested(argument) : '';
    }
  }
}

/** Marker env for listing references without failing on required ones. */
const NO_CHECK: Readonly<Record<string, string | undefined>> = Object.freeze({});

function matchingBrace(value: string, open: number): number {
  let depth = 0;
  for (let i = open; i < value.length; i++) {
    if (value[i] === '{') depth++;
    else if (value[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Every string in the document with its variables substituted (keys are left as they are, as Compose does). */
export function interpolateDocument<T>(node: T, env: Readonly<Record<string, string | undefined>> = {}): T {
  if (typeof node === 'string') return interpolate(node, env) as T;
  if (Array.isArray(node)) return node.map((item: unknown) => interpolateDocument(item, env)) as T;
  if (isRecord(node)) return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateDocument(value, env)])) as T;
  return node;
}

/** Every variable referenced anywhere in the document, with the places (dotted paths) it appears. */
export function documentVariables(node: unknown, at = ''): Map<string, { references: VariableReference[]; places: string[] }> {
  const found = new Map<string, { references: VariableReference[]; places: string[] }>();
  const visit = (value: unknown, place: string) => {
    if (typeof value === 'string') {
      for (const reference of variablesIn(value)) {
        const entry = found.get(reference.name) ?? { references: [], places: [] };
        entry.references.push(reference);
        entry.places.push(place);
        found.set(reference.name, entry);
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${place}[${index}]`));
    } else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) visit(item, place ? `${place}.${key}` : key);
    }
  };
  visit(node, at);
  return found;
}

/** A service's `environment` in either form (mapping, or `KEY=value` list), values as written. */
export function environmentOf(service: unknown): Record<string, string | null> {
  const environment = isRecord(service) ? service.environment : undefined;
  if (environment === undefined) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((item) => {
        const text = String(item);
        const eq = text.indexOf('=');
        return eq === -1 ? [text, null] : [text.slice(0, eq), text.slice(eq + 1)];
      }),
    );
  }
  if (!isRecord(environment)) throw new Error('environment must be a mapping or a list');
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, value === null ? null : String(value)]));
}

/** One `env_file` entry: Compose refuses to start when a required one is missing (`required` defaults to true). */
export interface EnvFileEntry {
  path: string;
  required: boolean;
}

/**
 * `env_file` in its short (string), list, or long (`{path, required}`, Compose
 * 2.24 and later) forms, with whether each file must exist.
 */
export function envFileEntriesOf(service: unknown): EnvFileEntry[] {
  const envFile = isRecord(service) ? service.env_file : undefined;
  if (envFile === undefined) return [];
  const items = Array.isArray(envFile) ? envFile : [envFile];
  return items.map((item) => {
    if (!isRecord(item)) return { path: String(item), required: true };
    if (item.path === undefined) throw new Error('an env_file entry in the long syntax needs a path');
    const required = item.required ?? true;
    if (typeof required !== 'boolean' && required !== 'true' && required !== 'false') throw new Error(`env_file ${String(item.path)}: required must be true or false`);
    return { path: String(item.path), required: required === true || required === 'true' };
  });
}

/** `env_file` in any of its forms: the paths, required or not. */
export function envFilesOf(service: unknown): string[] {
  return envFileEntriesOf(service).map((entry) => entry.path);
}

/** KEY=value lines of an env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(trimmed);
    if (!match) throw new Error(`line ${index + 1} is not KEY=value: ${trimmed.slice(0, 40)}`);
    entries[match[1]!] = match[2]!;
  });
  return entries;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
