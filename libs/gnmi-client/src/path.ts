/**
 * gNMI paths in their human form, `/interface[name=ethernet-1/1]/mtu`, and the
 * wire form (Path with PathElem name + key map). The same syntax gnmic and the
 * gNMI path-conventions document use: keys in brackets, `]` and `\` escaped
 * with a backslash inside a key value, `*` as a wildcard name or key value, and
 * an optional `origin:` before the first slash (`openconfig:/interfaces`).
 */

export interface PathElem {
  name: string;
  key?: Record<string, string>;
}

export interface GnmiPath {
  origin?: string;
  elem: PathElem[];
  target?: string;
}

export class PathSyntaxError extends Error {
  constructor(path: string, position: number, reason: string) {
    super(`invalid gNMI path ${JSON.stringify(path)} at position ${position}: ${reason}`);
    this.name = 'PathSyntaxError';
  }
}

const ORIGIN = /^([A-Za-z0-9_.-]+):(?=\/)/;

export function parsePath(text: string): GnmiPath {
  let rest = text.trim();
  let origin: string | undefined;
  const originMatch = ORIGIN.exec(rest);
  if (originMatch) {
    origin = originMatch[1];
    rest = rest.slice(originMatch[0].length);
  }
  const offset = text.length - rest.length;
  if (rest === '' || rest === '/') return origin ? { origin, elem: [] } : { elem: [] };
  if (!rest.startsWith('/')) throw new PathSyntaxError(text, offset, 'a path starts with "/"');

  const elem: PathElem[] = [];
  let i = 1;
  while (i <= rest.length) {
    let name = '';
    while (i < rest.length && rest[i] !== '/' && rest[i] !== '[') {
      if (rest[i] === ']') throw new PathSyntaxError(text, offset + i, 'unexpected "]"');
      name += rest[i];
      i++;
    }
    if (name === '') throw new PathSyntaxError(text, offset + i, 'empty element name');
    const element: PathElem = { name };
    while (i < rest.length && rest[i] === '[') {
      i++;
      let keyName = '';
      while (i < rest.length && rest[i] !== '=' && rest[i] !== ']') keyName += rest[i++];
      if (rest[i] !== '=' || keyName === '') throw new PathSyntaxError(text, offset + i, `key of "${name}" needs name=value`);
      i++;
      let value = '';
      while (i < rest.length && rest[i] !== ']') {
        if (rest[i] === '\\' && i + 1 < rest.length) i++;
        value += rest[i++];
      }
      if (rest[i] !== ']') throw new PathSyntaxError(text, offset + i, `unclosed "[" in "${name}"`);
      i++;
      element.key = { ...element.key, [keyName]: value };
    }
    elem.push(element);
    if (i >= rest.length) break;
    if (rest[i] !== '/') throw new PathSyntaxError(text, offset + i, 'expected "/" after "]"');
    i++;
    if (i === rest.length) break; // a trailing slash is tolerated
  }
  return origin ? { origin, elem } : { elem };
}

function escapeKeyValue(value: string): string {
  return value.replace(/[\\\]]/g, (c) => `\\${c}`);
}

/** Prints keys in name order, so equal paths print equal. */
export function formatPath(path: GnmiPath): string {
  const body =
    '/' +
    path.elem
      .map((e) => {
        const keys = e.key ? Object.keys(e.key).sort() : [];
        return e.name + keys.map((k) => `[${k}=${escapeKeyValue(e.key![k])}]`).join('');
      })
      .join('/');
  return path.origin ? `${path.origin}:${body}` : body;
}

/** Prefix + path, as gNMI composes them in notifications and requests. */
export function joinPaths(prefix: GnmiPath | undefined, path: GnmiPath): GnmiPath {
  if (!prefix) return path;
  const origin = path.origin || prefix.origin;
  const elem = [...prefix.elem, ...path.elem];
  return origin ? { origin, elem } : { elem };
}

export function isWildcard(path: GnmiPath): boolean {
  return path.elem.some((e) => e.name === '*' || e.name === '...' || Object.values(e.key ?? {}).includes('*'));
}
