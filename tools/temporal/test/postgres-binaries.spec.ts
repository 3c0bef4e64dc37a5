import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { debianMajorVersions, findPostgresPrograms, lookupSystemUser, postgresAccount, PostgresNotFoundError } from '../src/postgres/postgres-binaries';
import {
  buildTemporalServer,
  findGo,
  goSwitchesToolchains,
  resolveTemporalServerBinaries,
  schemaDirFor,
  serverBinaryCandidates,
  TEMPORAL_SERVER_VERSION,
  TemporalServerBinaryError,
  toolchainModule,
} from '../src/postgres/server-binaries';

/**
 * Where the PostgreSQL stack's programs come from, against small fake
 * binaries in temp dirs, each reporting a version so the test sees which one
 * won. Nothing here builds or starts anything: buildIfMissing is off.
 */
describe('finding temporal-server and temporal-sql-tool', () => {
  let sandbox: string;
  let cacheDir: string;
  beforeEach(() => {
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-server-binaries-'));
    cacheDir = path.join(sandbox, 'cache', TEMPORAL_SERVER_VERSION);
  });
  afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));

  const fake = (file: string, version: string) => writeScript(file, `echo "temporal version ${version}"`);
  const cached = () => {
    fake(path.join(cacheDir, 'bin', 'temporal-server'), TEMPORAL_SERVER_VERSION);
    fake(path.join(cacheDir, 'bin', 'temporal-sql-tool'), TEMPORAL_SERVER_VERSION);
  };
  const quiet = { buildIfMissing: false, log: () => undefined };

  it('looks at the named binary, then PATH, then the project cache, in that order', () => {
    const onPath = fake(path.join(sandbox, 'path', 'temporal-server'), TEMPORAL_SERVER_VERSION);
    const env = { SYNAPSE_TEMPORAL_SERVER_BIN: '/opt/mine/temporal-server', PATH: path.dirname(onPath) };
    expect(serverBinaryCandidates('server', env, cacheDir)).toEqual([
      { path: '/opt/mine/temporal-server', source: 'explicit path' },
      { path: onPath, source: 'PATH' },
      { path: path.join(cacheDir, 'bin', 'temporal-server'), source: 'project cache' },
    ]);
    // The SQL tool has its own variable and name.
    expect(serverBinaryCandidates('sql-tool', { SYNAPSE_TEMPORAL_SQL_TOOL_BIN: '/x/sql', PATH: '' }, cacheDir).map((c) => c.path)).toEqual([
      '/x/sql',
      path.join(cacheDir, 'bin', 'temporal-sql-tool'),
    ]);
  });

  it('uses the explicitly named binaries over PATH and the cache, whatever their version', async () => {
    cached();
    const server = fake(path.join(sandbox, 'mine', 'temporal-server'), '1.99.0');
    const sqlTool = fake(path.join(sandbox, 'mine', 'temporal-sql-tool'), '1.99.0');
    const onPath = path.dirname(fake(path.join(sandbox, 'path', 'temporal-server'), TEMPORAL_SERVER_VERSION));
    const found = await resolveTemporalServerBinaries({ ...quiet, cacheDir, env: { SYNAPSE_TEMPORAL_SERVER_BIN: server, SYNAPSE_TEMPORAL_SQL_TOOL_BIN: sqlTool, PATH: onPath } });
    expect(found.server).toEqual({ path: server, source: 'explicit path', version: '1.99.0' });
    expect(found.sqlTool).toEqual({ path: sqlTool, source: 'explicit path', version: '1.99.0' });
    // Another release's SQL tool uses the schema it embeds, not the cached copy of ours.
    expect(found.schemaDir).toBeUndefined();
  });

  it('never falls back past a named binary that is missing', async () => {
    cached();
    const attempt = resolveTemporalServerBinaries({ ...quiet, cacheDir, env: { SYNAPSE_TEMPORAL_SERVER_BIN: path.join(sandbox, 'nowhere'), PATH: '' } });
    await expect(attempt).rejects.toThrow(TemporalServerBinaryError);
    await expect(attempt).rejects.toThrow(/SYNAPSE_TEMPORAL_SERVER_BIN=".*nowhere" is not a working temporal-server/);
  });

  it('takes PATH before the cache, and skips a PATH binary of another release with a warning', async () => {
    cached();
    const goodDir = path.dirname(fake(path.join(sandbox, 'good', 'temporal-server'), TEMPORAL_SERVER_VERSION));
    const oldDir = path.dirname(fake(path.join(sandbox, 'old', 'temporal-sql-tool'), '1.20.0'));
    const warnings: string[] = [];
    const found = await resolveTemporalServerBinaries({ buildIfMissing: false, log: (line) => warnings.push(line), cacheDir, env: { PATH: [goodDir, oldDir].join(path.delimiter) } });
    expect(found.server).toMatchObject({ source: 'PATH', path: path.join(goodDir, 'temporal-server') });
    expect(found.sqlTool).toMatchObject({ source: 'project cache', path: path.join(cacheDir, 'bin', 'temporal-sql-tool') });
    expect(warnings).toEqual([expect.stringMatching(/ignoring .*old\/temporal-sql-tool from PATH: version 1\.20\.0, the project pins 1\.32\.0/)]);
  });

  it('says how to get them when there are none and building is off', async () => {
    const attempt = resolveTemporalServerBinaries({ ...quiet, cacheDir, env: { PATH: '' } });
    await expect(attempt).rejects.toThrow(/no Temporal Server 1\.32\.0 binaries found .* they build them with Go/);
  });

  it('uses the cached schema files with the cached tool, and SYNAPSE_TEMPORAL_SCHEMA_DIR over both', () => {
    fs.mkdirSync(path.join(cacheDir, 'schema', 'postgresql', 'v12', 'temporal', 'versioned'), { recursive: true });
    expect(schemaDirFor({ version: TEMPORAL_SERVER_VERSION }, {}, cacheDir)).toBe(path.join(cacheDir, 'schema', 'postgresql', 'v12'));
    expect(schemaDirFor({ version: '1.31.0' }, {}, cacheDir)).toBeUndefined();
    expect(schemaDirFor({ version: '1.31.0' }, { SYNAPSE_TEMPORAL_SCHEMA_DIR: '/schemas' }, cacheDir)).toBe('/schemas');
  });
});

describe('the Go that builds the server', () => {
  it('is found on PATH first', () => {
    const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'find-go-'));
    try {
      const go = writeScript(path.join(sandbox, 'go'), 'exit 0');
      expect(findGo({ PATH: sandbox })).toBe(go);
    } finally {
      fs.rmSync(sandbox, { recursive: true, force: true });
    }
  });

  it('is asked for by name, with how to install it, when there is none', async () => {
    const attempt = buildTemporalServer({ env: { PATH: '' }, cacheDir: path.join(os.tmpdir(), 'never-built'), log: () => undefined, goLocations: [] });
    await expect(attempt).rejects.toThrow(TemporalServerBinaryError);
    await expect(attempt).rejects.toThrow(/building Temporal Server 1\.32\.0 needs Go, and none was found .*apt-get install golang-go.*go1\.26\.8 from the Go module proxy.*SYNAPSE_TEMPORAL_SERVER_BIN/);
  });

  it('switches toolchains by itself from Go 1.21 on; an older one needs the toolchain module fetched', () => {
    expect(goSwitchesToolchains('go1.19.8')).toBe(false);
    expect(goSwitchesToolchains('go1.20')).toBe(false);
    expect(goSwitchesToolchains('go1.21.0')).toBe(true);
    expect(goSwitchesToolchains('go1.26.8')).toBe(true);
    expect(goSwitchesToolchains('devel go1.27-abcdef')).toBe(true);
  });

  it('names the toolchain module the Go proxy serves for this machine', () => {
    expect(toolchainModule('go1.26.8', 'linux', 'x64')).toBe('golang.org/toolchain@v0.0.1-go1.26.8.linux-amd64');
    expect(toolchainModule('go1.26.8', 'darwin', 'arm64')).toBe('golang.org/toolchain@v0.0.1-go1.26.8.darwin-arm64');
  });
});

describe('finding PostgreSQL', () => {
  let sandbox: string;
  beforeEach(() => (sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'postgres-binaries-'))));
  afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));

  const programsIn = (dir: string) => {
    writeScript(path.join(dir, 'initdb'), 'exit 0');
    writeScript(path.join(dir, 'postgres'), 'exit 0');
    return dir;
  };

  it('uses SYNAPSE_POSTGRES_BIN_DIR first, then PATH, then the newest Debian major version', () => {
    const explicit = programsIn(path.join(sandbox, 'explicit'));
    const onPath = programsIn(path.join(sandbox, 'path'));
    const debian = path.join(sandbox, 'usr-lib-postgresql');
    for (const major of ['9.6', '13', '15']) programsIn(path.join(debian, major, 'bin'));
    expect(findPostgresPrograms({ SYNAPSE_POSTGRES_BIN_DIR: explicit, PATH: onPath }, debian)).toEqual({
      initdb: path.join(explicit, 'initdb'),
      postgres: path.join(explicit, 'postgres'),
      source: 'explicit directory',
    });
    expect(findPostgresPrograms({ PATH: onPath }, debian)).toMatchObject({ initdb: path.join(onPath, 'initdb'), source: 'PATH' });
    expect(findPostgresPrograms({ PATH: '' }, debian)).toMatchObject({ initdb: path.join(debian, '15', 'bin', 'initdb'), source: 'Debian package' });
  });

  it('sorts Debian major versions as numbers, newest first, ignoring what is not a version', () => {
    const debian = path.join(sandbox, 'versions');
    for (const name of ['9.6', '13', '15', '100', 'common']) fs.mkdirSync(path.join(debian, name), { recursive: true });
    expect(debianMajorVersions(debian)).toEqual(['100', '15', '13', '9.6']);
  });

  it('refuses an explicit directory without the programs, and says how to install PostgreSQL when there is none', () => {
    expect(() => findPostgresPrograms({ SYNAPSE_POSTGRES_BIN_DIR: sandbox, PATH: '' }, sandbox)).toThrow(/SYNAPSE_POSTGRES_BIN_DIR=".*" has no executable initdb and postgres/);
    expect(() => findPostgresPrograms({ PATH: '' }, path.join(sandbox, 'none'))).toThrow(PostgresNotFoundError);
    expect(() => findPostgresPrograms({ PATH: '' }, path.join(sandbox, 'none'))).toThrow(/apt-get install postgresql/);
  });

  it('runs PostgreSQL as ourselves, or as root as the postgres user, and refuses root without one', () => {
    const users: Record<string, { uid: number; gid: number }> = { postgres: { uid: 101, gid: 104 } };
    expect(postgresAccount(1000, (name) => users[name])).toEqual({ name: 'the current user' });
    expect(postgresAccount(0, (name) => users[name])).toEqual({ uid: 101, gid: 104, name: 'postgres' });
    expect(() => postgresAccount(0, () => undefined)).toThrow(/refuses to run as root, and there is no `postgres` user/);
  });

  it('reads a system user from a passwd file', () => {
    const passwd = path.join(sandbox, 'passwd');
    fs.writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash\n');
    expect(lookupSystemUser('postgres', passwd)).toEqual({ uid: 101, gid: 104 });
    expect(lookupSystemUser('nobody', passwd)).toBeUndefined();
  });
});

function writeScript(file: string, body: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}
