import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * What a container image of one app needs from the workspace: the app and
 * every workspace library it depends on at run time (`dependencies`, never
 * `devDependencies`), each as its package.json plus the entries of its
 * `files` list (dist, and data such as gnmi-client's proto/ or
 * infrahub-sim's schema/). npm's workspace links in node_modules
 * (`@synapse/contracts -> ../../libs/contracts`) then resolve inside the
 * image exactly as they do in a checkout.
 */
export interface PackageManifest {
  name: string;
  main?: string;
  files?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  workspaces?: string[];
}

export interface WorkspacePackage {
  name: string;
  /** Relative to the workspace root, with `/` separators (`libs/contracts`). */
  dir: string;
  manifest: PackageManifest;
}

export function readManifest(file: string): PackageManifest {
  return JSON.parse(readFileSync(file, 'utf8')) as PackageManifest;
}

/** Every workspace package, by name, from the root package.json's `workspaces` globs. */
export function workspacePackages(root: string): Map<string, WorkspacePackage> {
  const globs = readManifest(path.join(root, 'package.json')).workspaces ?? [];
  const packages = new Map<string, WorkspacePackage>();
  for (const glob of globs) {
    for (const dir of expandDirectoryGlob(root, glob)) {
      const manifestFile = path.join(root, dir, 'package.json');
      if (!existsSync(manifestFile)) continue;
      const manifest = readManifest(manifestFile);
      packages.set(manifest.name, { name: manifest.name, dir, manifest });
    }
  }
  return packages;
}

/** Workspace globs such as `libs/*`: each `*` stands for one directory name. */
function expandDirectoryGlob(root: string, glob: string): string[] {
  let dirs = [''];
  for (const segment of glob.split('/')) {
    dirs = dirs.flatMap((dir) => {
      if (segment !== '*') return existsSync(path.join(root, dir, segment)) ? [join(dir, segment)] : [];
      const absolute = path.join(root, dir);
      if (!existsSync(absolute)) return [];
      return readdirSync(absolute, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.'))
        .map((entry) => join(dir, entry.name));
    });
  }
  return dirs;
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/**
 * The packages an app runs with: the packages in `dirs` and, transitively,
 * every workspace package they list under `dependencies`. Sorted by dir.
 */
export function runtimeClosure(root: string, dirs: readonly string[]): WorkspacePackage[] {
  const packages = workspacePackages(root);
  const byDir = new Map([...packages.values()].map((p) => [p.dir, p]));
  const found = new Map<string, WorkspacePackage>();
  const visit = (pkg: WorkspacePackage) => {
    if (found.has(pkg.name)) return;
    found.set(pkg.name, pkg);
    for (const dependency of Object.keys(pkg.manifest.dependencies ?? {})) {
      const workspaceDependency = packages.get(dependency);
      if (workspaceDependency) visit(workspaceDependency);
    }
  };
  for (const dir of dirs) {
    const pkg = byDir.get(normalizeDir(dir));
    if (!pkg) throw new Error(`${dir} is not a workspace package (the root package.json's workspaces list ${[...byDir.keys()].join(', ')})`);
    visit(pkg);
  }
  return [...found.values()].sort((a, b) => a.dir.localeCompare(b.dir));
}

/** What an image takes from a package: package.json and its `files` entries (npm's default for a package without them is everything; ours always list them). */
export function runtimeEntries(pkg: WorkspacePackage): string[] {
  if (!pkg.manifest.files || pkg.manifest.files.length === 0) {
    throw new Error(`${pkg.dir}/package.json has no "files" list: name what the package ships (dist, data files) so an image takes exactly that`);
  }
  return ['package.json', ...pkg.manifest.files];
}

export interface CopiedPackage {
  name: string;
  dir: string;
  entries: string[];
}

/**
 * Copies the runtime closure of `dirs` from `root` into `outDir`, keeping
 * the workspace layout (`<outDir>/libs/contracts/dist/...`). A missing
 * entry (dist not built) is an error naming the package and how to build it.
 */
export function copyRuntimeFiles(root: string, dirs: readonly string[], outDir: string): CopiedPackage[] {
  const copied: CopiedPackage[] = [];
  for (const pkg of runtimeClosure(root, dirs)) {
    const entries = runtimeEntries(pkg);
    for (const entry of entries) {
      const from = path.join(root, pkg.dir, entry);
      if (!existsSync(from)) {
        throw new Error(`${pkg.dir}/${entry} does not exist: build ${pkg.name} first (npx nx run ${projectNameOf(pkg)}:build)`);
      }
      const to = path.join(outDir, pkg.dir, entry);
      mkdirSync(path.dirname(to), { recursive: true });
      // Incremental-build state is of no use in an image.
      cpSync(from, to, { recursive: true, preserveTimestamps: true, filter: (source) => !source.endsWith('.tsbuildinfo') });
    }
    copied.push({ name: pkg.name, dir: pkg.dir, entries });
  }
  return copied;
}

function projectNameOf(pkg: WorkspacePackage): string {
  const nx = (pkg.manifest as { nx?: { name?: string } }).nx;
  return nx?.name ?? pkg.name;
}

function normalizeDir(dir: string): string {
  return dir.split(path.sep).join('/').replace(/^\.\//, '').replace(/\/+$/, '');
}

/** True when `file` is a regular file (symlinks followed). */
export function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
