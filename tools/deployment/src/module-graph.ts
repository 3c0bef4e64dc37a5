import { builtinModules } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isFile, readManifest, type PackageManifest } from './runtime-files';

/**
 * Follows the `require(...)` / `require.resolve(...)` calls of compiled
 * CommonJS code from an entry file, the way Node will in the image: relative
 * requests and workspace packages (`@synapse/*`) must resolve to files inside
 * the copied tree; any other package must be declared in the `dependencies`
 * of the workspace package that requires it, or `npm ci --omit=dev` for the
 * app would not install it.
 */
export interface ModuleGraph {
  /** Files reached, relative to the tree root. */
  files: string[];
  /** Third-party packages reached, each with the workspace package that requires it. */
  packages: Array<{ name: string; requiredBy: string }>;
  /** What would fail at run time: unresolvable requests and undeclared packages. */
  problems: string[];
}

const REQUIRE = /\brequire(?:\.resolve)?\(\s*(["'])([^"'`\n]+)\1\s*\)|\bimport\(\s*(["'])([^"'`\n]+)\3\s*\)/g;
const BUILTINS = new Set(builtinModules);

/**
 * @param treeRoot the image's /app: workspace packages are at `<treeRoot>/<dir>`
 * @param workspaceDirs workspace package name -> dir, for the packages the tree is meant to hold
 */
export function walkModuleGraph(treeRoot: string, entry: string, workspaceDirs: ReadonlyMap<string, string>): ModuleGraph {
  const files = new Set<string>();
  const packages = new Map<string, { name: string; requiredBy: string }>();
  const problems: string[] = [];
  const pending = [path.resolve(treeRoot, entry)];
  if (!isFile(pending[0]!)) return { files: [], packages: [], problems: [`the entry ${entry} does not exist`] };

  while (pending.length > 0) {
    const file = pending.pop()!;
    const relative = toPosix(path.relative(treeRoot, file));
    if (files.has(relative)) continue;
    files.add(relative);
    if (!file.endsWith('.js') && !file.endsWith('.cjs')) continue;
    const owner = owningPackage(treeRoot, file);
    for (const request of requestsIn(readFileSync(file, 'utf8'))) {
      if (BUILTINS.has(request) || request.startsWith('node:')) continue;
      if (request.startsWith('.') || request.startsWith('/')) {
        const target = resolveFile(path.resolve(path.dirname(file), request));
        if (target) pending.push(target);
        else problems.push(`${relative}: require("${request}") does not resolve to a file in the image`);
        continue;
      }
      const name = packageNameOf(request);
      const declared = owner ? isDeclared(owner.manifest, name) : false;
      if (!declared) problems.push(`${relative}: requires ${name}, which ${owner ? `${owner.manifest.name} does not list in "dependencies"` : 'no package.json above it declares'}`);
      const workspaceDir = workspaceDirs.get(name);
      if (workspaceDir !== undefined) {
        const target = resolveWorkspaceRequest(path.join(treeRoot, workspaceDir), request.slice(name.length));
        if (target) pending.push(target);
        else problems.push(`${relative}: require("${request}") does not resolve inside ${workspaceDir} in the image (is it copied?)`);
      } else if (name.startsWith('@synapse/')) {
        problems.push(`${relative}: requires ${name}, which is not among the workspace packages copied into the image`);
      } else {
        packages.set(`${name} ${owner?.manifest.name ?? '?'}`, { name, requiredBy: owner?.manifest.name ?? '?' });
      }
    }
  }
  return { files: [...files].sort(), packages: [...packages.values()], problems };
}

function requestsIn(code: string): string[] {
  const requests: string[] = [];
  for (const match of code.matchAll(REQUIRE)) requests.push((match[2] ?? match[4])!);
  return requests;
}

function packageNameOf(request: string): string {
  const parts = request.split('/');
  return request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isDeclared(manifest: PackageManifest, name: string): boolean {
  return [manifest.dependencies, manifest.peerDependencies, manifest.optionalDependencies].some((deps) => deps !== undefined && name in deps);
}

function owningPackage(treeRoot: string, file: string): { dir: string; manifest: PackageManifest } | undefined {
  for (let dir = path.dirname(file); dir.startsWith(treeRoot); dir = path.dirname(dir)) {
    const manifestFile = path.join(dir, 'package.json');
    if (existsSync(manifestFile)) return { dir, manifest: readManifest(manifestFile) };
    if (dir === treeRoot) break;
  }
  return undefined;
}

function resolveWorkspaceRequest(packageDir: string, subpath: string): string | undefined {
  if (subpath !== '') return resolveFile(path.join(packageDir, subpath));
  const manifestFile = path.join(packageDir, 'package.json');
  if (!existsSync(manifestFile)) return undefined;
  return resolveFile(path.join(packageDir, readManifest(manifestFile).main ?? 'index.js'));
}

/** Node's CommonJS file resolution: the path, then with .js/.json, then as a directory's index. */
function resolveFile(base: string): string | undefined {
  for (const candidate of [base, `${base}.js`, `${base}.json`, `${base}.cjs`, path.join(base, 'index.js'), path.join(base, 'index.json')]) {
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
