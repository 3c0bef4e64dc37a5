import * as path from 'node:path';

/**
 * Where things live in the checkout. Computed from this file's location so the
 * same answer comes out of `src/` (ts-jest) and `dist/` (node), whatever the
 * caller's working directory is (nx runs each project from its own folder).
 */
export const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Everything generated at run time; gitignored, safe to delete. */
export const DATA_DIR = path.join(WORKSPACE_ROOT, '.data');

export const TEMPORAL_DATA_DIR = path.join(DATA_DIR, 'temporal');

/** The project's own copy of the Temporal CLI (gitignored). */
export const PROJECT_TEMPORAL_CLI = path.join(WORKSPACE_ROOT, 'tools', 'temporal', 'bin', 'temporal');

/** The venv bootstrap creates; its Python always has pip (ensurepip). */
export const VENV_PYTHON = path.join(DATA_DIR, 'venv', 'bin', 'python');
