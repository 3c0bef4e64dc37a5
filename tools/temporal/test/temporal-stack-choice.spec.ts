import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resetStackData, stackData } from '../src/stack/stack-data';
import { temporalService, temporalStackFromEnv } from '../src/stack/temporal-service';

/** TEMPORAL_STACK: which Temporal `npm start` runs, and what `--fresh` removes of it. */
describe('TEMPORAL_STACK', () => {
  it('is the dev server when unset or empty, and postgres or dev when named', () => {
    expect(temporalStackFromEnv({})).toBe('dev');
    expect(temporalStackFromEnv({ TEMPORAL_STACK: '' })).toBe('dev');
    expect(temporalStackFromEnv({ TEMPORAL_STACK: '  ' })).toBe('dev');
    expect(temporalStackFromEnv({ TEMPORAL_STACK: 'dev' })).toBe('dev');
    expect(temporalStackFromEnv({ TEMPORAL_STACK: 'postgres' })).toBe('postgres');
    expect(temporalStackFromEnv({ TEMPORAL_STACK: ' postgres ' })).toBe('postgres');
  });

  it('refuses any other value, naming the allowed ones', () => {
    for (const value of ['postgresql', 'Postgres', 'sqlite', 'cassandra', 'toString', '__proto__']) {
      expect(() => temporalStackFromEnv({ TEMPORAL_STACK: value })).toThrow(`TEMPORAL_STACK="${value}" is not a Temporal stack this project runs; choose one of: dev (`);
      expect(() => temporalStackFromEnv({ TEMPORAL_STACK: value })).toThrow(/, postgres \(Temporal Server 1\.32\.0 on a PostgreSQL cluster of its own\)/);
    }
  });

  it('fails the start of the Temporal service, before anything runs, on an unknown value', async () => {
    // A port no server can take: were the value let through, the start would fail on it instead of running a server.
    const env = { TEMPORAL_STACK: 'mysql', TEMPORAL_PORT: 'none', PATH: '' };
    await expect(temporalService().start({ env, scoped: {} })).rejects.toThrow(/TEMPORAL_STACK="mysql"/);
  });
});

describe('the PostgreSQL cluster of `npm start`', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-postgres-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lives under the stack data directory and goes with --fresh, like the dev server’s database', () => {
    const data = stackData({ SYNAPSE_STACK_DATA_DIR: root });
    expect(data.temporalPostgresHome).toBe(path.join(root, 'temporal', 'postgres'));
    fs.mkdirSync(path.join(data.temporalPostgresHome, 'pgdata'), { recursive: true });
    fs.writeFileSync(path.join(data.temporalPostgresHome, 'pgdata', 'PG_VERSION'), '15\n');
    fs.writeFileSync(data.temporalDb, '');

    const { removed } = resetStackData(data);

    expect(removed).toEqual([data.temporalDb, data.temporalPostgresHome]);
    expect(fs.existsSync(data.temporalPostgresHome)).toBe(false);
  });
});
