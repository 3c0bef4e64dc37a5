import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveTemporalCli } from '../src/temporal-cli';
import { TemporalCliError } from '../src/temporal-cli-error';
import { TEMPORAL_CLI_VERSION } from '../src/temporal-cli-wheel';

/**
 * The order logic runs against small fake `temporal` scripts in temp dirs,
 * each reporting a different version so the test sees which one won. Nothing
 * here downloads: obtainIfMissing is off.
 */
describe('resolving the Temporal CLI', () => {
  let sandbox: string;
  let explicitCli: string;
  let pathDir: string;
  let projectCopy: string;

  beforeEach(() => {
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-cli-resolution-'));
    explicitCli = writeFakeTemporal(path.join(sandbox, 'explicit', 'my-temporal'), '9.9.9-explicit');
    pathDir = path.dirname(writeFakeTemporal(path.join(sandbox, 'on-path', 'temporal'), '8.8.8-path'));
    projectCopy = writeFakeTemporal(path.join(sandbox, 'project', 'bin', 'temporal'), TEMPORAL_CLI_VERSION);
  });

  afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));

  const emptyDir = () => fs.mkdtempSync(path.join(sandbox, 'empty-'));

  it('uses TEMPORAL_CLI_PATH first, even with temporal on PATH and a project copy', async () => {
    const resolved = await resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: explicitCli, PATH: pathDir }, projectCopy, obtainIfMissing: false });
    expect(resolved).toEqual({ path: explicitCli, source: 'TEMPORAL_CLI_PATH', version: '9.9.9-explicit' });
  });

  it('uses temporal from PATH next, before the project copy', async () => {
    const resolved = await resolveTemporalCli({ env: { PATH: [emptyDir(), pathDir].join(path.delimiter) }, projectCopy, obtainIfMissing: false });
    expect(resolved).toEqual({ path: path.join(pathDir, 'temporal'), source: 'PATH', version: '8.8.8-path' });
  });

  it('uses the project copy when neither is there', async () => {
    const resolved = await resolveTemporalCli({ env: { PATH: emptyDir() }, projectCopy, obtainIfMissing: false });
    expect(resolved).toEqual({ path: projectCopy, source: 'project copy', version: TEMPORAL_CLI_VERSION });
  });

  it('skips a temporal on PATH that does not work and falls back to the project copy', async () => {
    const brokenDir = path.dirname(writeScript(path.join(sandbox, 'broken', 'temporal'), 'echo "segfault" >&2; exit 139'));
    const warnings: string[] = [];
    const resolved = await resolveTemporalCli({ env: { PATH: brokenDir }, projectCopy, obtainIfMissing: false, warn: (message) => warnings.push(message) });
    expect(resolved.source).toBe('project copy');
    expect(warnings).toEqual([expect.stringMatching(/^ignoring .*broken\/temporal from PATH: `--version` exited with code 139: segfault$/)]);
  });

  it('says what is missing when there is nothing and downloading is off', async () => {
    const attempt = resolveTemporalCli({ env: { PATH: emptyDir() }, projectCopy: path.join(sandbox, 'nowhere', 'temporal'), obtainIfMissing: false });
    await expect(attempt).rejects.toThrow(TemporalCliError);
    await expect(attempt).rejects.toThrow(/no Temporal CLI found: TEMPORAL_CLI_PATH is unset, there is no `temporal` on PATH, and there is no project copy/);
  });

  it('says the project copy is broken rather than missing when it does not run', async () => {
    const broken = writeScript(path.join(sandbox, 'broken-copy', 'temporal'), 'exit 1');
    await expect(resolveTemporalCli({ env: { PATH: emptyDir() }, projectCopy: broken, obtainIfMissing: false })).rejects.toThrow(
      `the project copy at ${broken} does not work (\`--version\` exited with code 1)`,
    );
  });

  it('rejects a TEMPORAL_CLI_PATH that does not exist, naming the variable and the path, without falling back', async () => {
    const missing = path.join(sandbox, 'no-such-temporal');
    const attempt = resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: missing, PATH: pathDir }, projectCopy, obtainIfMissing: false });
    await expect(attempt).rejects.toThrow(`TEMPORAL_CLI_PATH is set to "${missing}", but no file exists there`);
  });

  it('rejects a TEMPORAL_CLI_PATH that is not the Temporal CLI', async () => {
    const impostor = writeScript(path.join(sandbox, 'impostor'), 'echo "hello from something else"');
    await expect(resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: impostor }, projectCopy, obtainIfMissing: false })).rejects.toThrow(
      `TEMPORAL_CLI_PATH="${impostor}" is not a working Temporal CLI: \`--version\` printed "hello from something else", not "temporal version …"`,
    );
  });

  it('rejects a TEMPORAL_CLI_PATH that cannot be executed', async () => {
    const notExecutable = path.join(sandbox, 'temporal.txt');
    fs.writeFileSync(notExecutable, 'not a program', { mode: 0o644 });
    await expect(resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: notExecutable }, projectCopy, obtainIfMissing: false })).rejects.toThrow(
      /is not a working Temporal CLI: it could not be started \(EACCES\)/,
    );
  });

  it('finds the real CLI this run uses, and it reports its version', async () => {
    // The run's own resolution (global setup / with-dev-server) has already obtained it.
    const resolved = await resolveTemporalCli({ obtainIfMissing: false });
    expect(fs.existsSync(resolved.path)).toBe(true);
    expect(resolved.version).toMatch(/^\d+\.\d+\.\d+/);
    if (resolved.source === 'project copy') expect(resolved.version).toBe(TEMPORAL_CLI_VERSION);
  });
});

function writeFakeTemporal(file: string, version: string): string {
  return writeScript(file, `echo "temporal version ${version} (Server 0.0.0, UI 0.0.0)"`);
}

function writeScript(file: string, body: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}
