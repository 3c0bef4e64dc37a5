/**
 * The real workspace the checks look at: the images with their apps, the
 * README's variable table, and the files the repository would commit.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadCompose, loadDockerfile, type ComposeDocument, type DockerfileModel } from '../src';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface Image {
  /** The docker-compose.yml service that builds it. */
  service: string;
  /** The workspace package it runs. */
  dir: string;
  dockerfile: string;
}

export const IMAGES: readonly Image[] = [
  { service: 'workflow-worker', dir: 'apps/workflow-worker', dockerfile: 'apps/workflow-worker/Dockerfile' },
  { service: 'device-worker', dir: 'apps/device-worker', dockerfile: 'apps/device-worker/Dockerfile' },
  { service: 'infrahub-worker', dir: 'apps/infrahub-worker', dockerfile: 'apps/infrahub-worker/Dockerfile' },
  { service: 'codec-server', dir: 'apps/codec-server', dockerfile: 'apps/codec-server/Dockerfile' },
  { service: 'device-sim', dir: 'tools/device-sim', dockerfile: 'tools/device-sim/Dockerfile' },
  { service: 'infrahub-sim', dir: 'tools/infrahub-sim', dockerfile: 'tools/infrahub-sim/Dockerfile' },
];

export const WORKERS = ['workflow-worker', 'device-worker', 'infrahub-worker'] as const;

export function readText(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}

export function compose(): ComposeDocument {
  return loadCompose(path.join(ROOT, 'docker-compose.yml'));
}

export function dockerfileOf(image: Image): DockerfileModel {
  return loadDockerfile(path.join(ROOT, image.dockerfile));
}

export function service(document: ComposeDocument, name: string): Record<string, unknown> {
  const services = document.services as Record<string, Record<string, unknown>>;
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** Variable names in the first column of README's "Environment variables" table. */
export function readmeVariables(readme: string = readText('README.md')): Set<string> {
  const start = readme.indexOf('\n## Environment variables');
  if (start === -1) throw new Error('README has no "## Environment variables" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(match[1]!);
  }
  return names;
}

/**
 * The files under `dir` (relative to the root) that the repository would
 * commit: tracked, or untracked but not git-ignored. A developer's
 * generated deploy/lab/encryption.env is ignored, so it is not among them.
 */
export function committedFiles(dir: string): Array<{ path: string; text: string }> {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', dir], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr || listed.error?.message}`);
  return [...new Set(listed.stdout.split('\0').filter(Boolean))]
    .filter((file) => existsSync(path.join(ROOT, file)))
    .sort()
    .map((file) => ({ path: file, text: readFileSync(path.join(ROOT, file), 'utf8') }));
}

/** Whether git ignores a path (relative to the root), as .gitignore says. */
export function gitIgnores(relative: string): boolean {
  const checked = spawnSync('git', ['check-ignore', '-q', '--no-index', '--', relative], { cwd: ROOT });
  if (checked.status !== 0 && checked.status !== 1) throw new Error(`git check-ignore failed for ${relative}`);
  return checked.status === 0;
}
