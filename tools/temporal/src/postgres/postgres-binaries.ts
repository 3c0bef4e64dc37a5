import * as fs from 'node:fs';
import * as path from 'node:path';
import { findExecutableOnPath, isExecutableFile } from '../temporal-cli';

/** A directory with PostgreSQL's server programs, named explicitly. */
export const POSTGRES_BIN_DIR_VARIABLE = 'SYNAPSE_POSTGRES_BIN_DIR';

/** Debian and Ubuntu keep the server programs here, off PATH, one directory per major version. */
export const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

export interface PostgresPrograms {
  initdb: string;
  postgres: string;
  source: 'explicit directory' | 'PATH' | 'Debian package';
}

export class PostgresNotFoundError extends Error {
  override readonly name = 'PostgresNotFoundError';
}

/**
 * initdb and postgres, in the order an engineer expects: the directory they
 * named, PATH (Homebrew, a PGDG install, this machine's /usr/local/bin
 * links), then the newest Debian package under /usr/lib/postgresql/<major>/bin.
 */
export function findPostgresPrograms(
  env: NodeJS.ProcessEnv,
  debianRoot: string = DEBIAN_POSTGRES_ROOT,
): PostgresPrograms {
  const explicit = env[POSTGRES_BIN_DIR_VARIABLE];
  if (explicit) {
    const programs = programsIn(explicit);
    if (!programs) throw new PostgresNotFoundError(`${POSTGRES_BIN_DIR_VARIABLE}="${explicit}" has no executable initdb and postgres`);
    return { ...programs, source: 'explicit directory' };
  }
  const initdb = findExecutableOnPath('initdb', env.PATH ?? '');
  const postgres = findExecutableOnPath('postgres', env.PATH ?? '');
  if (initdb && postgres) return { initdb, postgres, source: 'PATH' };
  for (const major of debianMajorVersions(debianRoot)) {
    const programs = programsIn(path.join(debianRoot, major, 'bin'));
    if (programs) return { ...programs, source: 'Debian package' };
  }
  throw new PostgresNotFoundError(
    `PostgreSQL's initdb and postgres were not found (${POSTGRES_BIN_DIR_VARIABLE} unset, not on PATH, nothing under ${debianRoot}/*/bin). ` +
      'Install PostgreSQL 12 or later — Debian/Ubuntu: `apt-get install postgresql`, macOS: `brew install postgresql@16` — ' +
      `or set ${POSTGRES_BIN_DIR_VARIABLE} to the directory holding initdb and postgres.`,
  );
}

/** Newest first: "15", "13", "9.6" sort as versions, not as text. */
export function debianMajorVersions(root: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
}

function programsIn(dir: string): { initdb: string; postgres: string } | undefined {
  const initdb = path.join(dir, 'initdb');
  const postgres = path.join(dir, 'postgres');
  return isExecutableFile(initdb) && isExecutableFile(postgres) ? { initdb, postgres } : undefined;
}

export interface PostgresAccount {
  /** Undefined: run as ourselves. */
  uid?: number;
  gid?: number;
  name: string;
}

/**
 * Who runs initdb and postgres. PostgreSQL refuses to run as root, so as
 * root we run it as the `postgres` system user the distribution's package
 * creates; without one we stop with what to do rather than guess.
 */
export function postgresAccount(ourUid: number | undefined, lookup: (name: string) => { uid: number; gid: number } | undefined): PostgresAccount {
  if (ourUid !== 0) return { name: 'the current user' };
  const account = lookup('postgres');
  if (!account) {
    throw new PostgresNotFoundError(
      'PostgreSQL refuses to run as root, and there is no `postgres` user to run it as. ' +
        'Run this as a non-root user, or create the user (`apt-get install postgresql` does; or `useradd --system postgres`).',
    );
  }
  return { uid: account.uid, gid: account.gid, name: 'postgres' };
}

/** An /etc/passwd lookup: enough for the system user a package creates. */
export function lookupSystemUser(name: string, passwdFile = '/etc/passwd'): { uid: number; gid: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(passwdFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields.length >= 4) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  return undefined;
}
