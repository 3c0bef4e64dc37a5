import { formatPath, joinPaths, type GnmiPath, type PathElem, type WirePath, type WirePathElem } from '@synapse/gnmi-client';
import { invalidArgument, unimplemented } from './errors';
import { childNode, splitQualifiedName, type ContainerNode, type SchemaNode } from './schema';
import { SRL_SCHEMA } from './srl-model';

/**
 * A request path checked against the schema: module prefixes gone, key values
 * normalised, and what the path can be used for (a wildcard may be read or
 * deleted, not written).
 */
export interface ResolvedPath {
  elems: PathElem[];
  /** `/a[k=v]/b`, for error messages. */
  text: string;
  /** The addressed schema node; undefined below a `*` element. */
  node: SchemaNode | undefined;
  /** The node above it, when known (a list tells whether a leaf is one of its keys). */
  parent: SchemaNode | undefined;
  /** A `*` name or key value, or a list element missing some of its keys. */
  wildcard: boolean;
  /** Why the path cannot be the target of replace/update, if it cannot. */
  notWritable?: string;
}

export function fromWirePath(path: WirePath | undefined | null): GnmiPath {
  if (!path) return { elem: [] };
  if ((path.element?.length ?? 0) > 0 && (path.elem?.length ?? 0) === 0) {
    throw invalidArgument('path uses the deprecated "element" field; send "elem" (gNMI 0.4.0 and later)');
  }
  const elem = (path.elem ?? []).map((e: WirePathElem): PathElem => {
    const keys = e.key && Object.keys(e.key).length > 0 ? { ...e.key } : undefined;
    return keys ? { name: e.name, key: keys } : { name: e.name };
  });
  const out: GnmiPath = { elem };
  if (path.origin) out.origin = path.origin;
  if (path.target) out.target = path.target;
  return out;
}

export function describePath(elems: PathElem[]): string {
  return formatPath({ elem: elems });
}

export function resolvePath(path: GnmiPath, root: ContainerNode = SRL_SCHEMA): ResolvedPath {
  const requested = formatPath({ elem: path.elem });
  if (path.origin) {
    throw invalidArgument(
      `${requested}: origin "${path.origin}" is not served by this target (native SR Linux paths use no origin; OpenConfig is not enabled)`,
    );
  }
  const elems: PathElem[] = [];
  let node: SchemaNode | undefined = root;
  let parent: SchemaNode | undefined;
  let wildcard = false;
  let notWritable: string | undefined;

  path.elem.forEach((raw, index) => {
    const last = index === path.elem.length - 1;
    if (raw.name === '...') throw unimplemented(`${requested}: the multi-level wildcard "..." is not supported; use "*" per level`);
    const qualified = splitQualifiedName(raw.name);
    const name = qualified.name;
    if (name === '*') {
      wildcard = true;
      notWritable ??= 'a wildcard path cannot be replaced or updated';
      elems.push(raw.key ? { name, key: { ...raw.key } } : { name });
      parent = node;
      node = undefined;
      return;
    }
    if (node === undefined || node.kind === 'anydata') {
      // Below a wildcard or inside anydata nothing more can be checked up front.
      if (node?.kind === 'anydata' && raw.key) {
        notWritable ??= 'a keyed path inside an unmodelled subtree cannot be written; write the enclosing object';
      }
      elems.push(raw.key ? { name, key: { ...raw.key } } : { name });
      return;
    }
    const here: SchemaNode = node;
    const child = childNode(here, name);
    if (!child) throw invalidArgument(`${requested}: unknown element "${name}"${expectedChildren(here)}`);
    if (qualified.module && child.kind !== 'anydata' && qualified.module !== child.module) {
      throw invalidArgument(`${requested}: "${name}" is defined by module ${child.module}, not ${qualified.module}`);
    }
    if ((child.kind === 'leaf' || child.kind === 'leaf-list') && !last) {
      throw invalidArgument(`${requested}: "${name}" is a leaf; a path cannot continue below it`);
    }
    const rawKeys = raw.key ?? {};
    if (Object.keys(rawKeys).length > 0 && child.kind !== 'list' && child.kind !== 'anydata') {
      throw invalidArgument(`${requested}: "${name}" is not a list and takes no keys`);
    }
    if (child.kind === 'list') {
      const key: Record<string, string> = {};
      for (const [rawKeyName, rawValue] of Object.entries(rawKeys)) {
        const keyName = splitQualifiedName(rawKeyName).name;
        if (!child.keys.includes(keyName)) {
          throw invalidArgument(`${requested}: list "${name}" has no key "${keyName}" (keys: ${child.keys.join(', ')})`);
        }
        const keyLeaf = child.children.get(keyName);
        key[keyName] = keyLeaf?.kind === 'leaf' && keyLeaf.type.kind === 'identity' ? splitQualifiedName(rawValue).name : rawValue;
      }
      const given = Object.keys(key);
      const hasWildcardValue = Object.values(key).includes('*');
      if (given.length < child.keys.length || hasWildcardValue) wildcard = true;
      if (hasWildcardValue) notWritable ??= 'a wildcard path cannot be replaced or updated';
      else if (given.length > 0 && given.length < child.keys.length) {
        notWritable ??= `list "${name}" needs all of its keys (${child.keys.join(', ')}) to be written`;
      } else if (given.length === 0 && !last) {
        notWritable ??= `list "${name}" needs its keys (${child.keys.join(', ')}) when the path continues below it`;
      }
      elems.push(given.length > 0 ? { name, key } : { name });
    } else {
      elems.push(Object.keys(rawKeys).length > 0 ? { name, key: { ...rawKeys } } : { name });
    }
    parent = here;
    node = child;
  });

  return { elems, text: describePath(elems), node, parent, wildcard, notWritable };
}

function expectedChildren(parent: SchemaNode): string {
  if (parent.kind !== 'container' && parent.kind !== 'list') return '';
  const names = [...parent.children.keys()];
  return names.length > 0 ? ` (expected one of: ${names.join(', ')})` : '';
}

/**
 * A concrete path on the wire. With JSON_IETF, names are module-qualified
 * where the module changes, as SR Linux does (`srl_nokia-interfaces:interface`).
 */
export function toWirePath(elems: PathElem[], ietf: boolean, target?: string, root: ContainerNode = SRL_SCHEMA): WirePath {
  const out: WirePathElem[] = [];
  let node: SchemaNode | undefined = root as SchemaNode;
  for (const e of elems) {
    const parent: SchemaNode | undefined = node;
    const insideAnydata: boolean = parent?.kind === 'anydata';
    const child: SchemaNode | undefined = parent && !insideAnydata ? childNode(parent, e.name) : undefined;
    const qualify = ietf && child !== undefined && parent !== undefined && !insideAnydata && child.module !== parent.module;
    // Carried JSON keeps the names it was sent with; only JSON_IETF may show their prefixes.
    const name = qualify ? `${child.module}:${e.name}` : insideAnydata && !ietf ? splitQualifiedName(e.name).name : e.name;
    out.push(e.key ? { name, key: { ...e.key } } : { name });
    node = child ?? (insideAnydata ? parent : undefined);
  }
  const path: WirePath = { elem: out };
  if (target) path.target = target;
  return path;
}

/** A request prefix applied to a path (gNMI 2.4.1); an empty prefix changes nothing. */
export function withPrefix(prefix: GnmiPath, path: GnmiPath): GnmiPath {
  return prefix.elem.length > 0 || prefix.origin !== undefined ? joinPaths(prefix, path) : path;
}
