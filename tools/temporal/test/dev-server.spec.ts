import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { startDevServer } from '../src/dev-server';
import { PROJECT_SEARCH_ATTRIBUTES } from '../src/search-attributes';
import { resolveTemporalCli } from '../src/temporal-cli';
import { isRunning, waitUntilGone } from './process-state';

/**
 * Lifecycle of the dev server itself. These start their own servers beside
 * the run's shared one (each on its own free ports and database).
 */
describe('the Temporal dev server', () => {
  let cliPath: string;
  let sandbox: string;

  beforeAll(async () => {
    cliPath = (await resolveTemporalCli({ obtainIfMissing: false })).path;
  });
  beforeEach(() => {
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-server-'));
  });
  afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));

  it('stop() ends the server process, and a second start on the same database works and adds attributes registered since', async () => {
    const dbFile = path.join(sandbox, 'persistent.sqlite');
    const [devices] = PROJECT_SEARCH_ATTRIBUTES;

    const first = await startDevServer({ cliPath, headless: true, dbFile, searchAttributes: [devices] });
    expect(isRunning(first.pid)).toBe(true);
    await first.stop();
    expect(isRunning(first.pid)).toBe(false);
    expect(fs.existsSync(dbFile)).toBe(true);

    const second = await startDevServer({ cliPath, headless: true, dbFile });
    try {
      const connection = await Connection.connect({ address: second.address });
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: second.namespace });
        const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
        expect(customAttributes).toMatchObject({
          SynapseDevices: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
          SynapseChangeId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          SynapseChangeKind: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          SynapseRequester: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          SynapseOutcome: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        });
      } finally {
        await connection.close();
      }
    } finally {
      await second.stop();
    }
    expect(isRunning(second.pid)).toBe(false);
  });

  it('refuses to reuse a database whose attribute has another type, and says how to get out', async () => {
    const dbFile = path.join(sandbox, 'conflict.sqlite');
    const first = await startDevServer({ cliPath, headless: true, dbFile, searchAttributes: [{ name: 'SynapseChangeId', type: 'Int' }] });
    await first.stop();
    await expect(startDevServer({ cliPath, headless: true, dbFile })).rejects.toThrow(
      `search attribute SynapseChangeId is registered in namespace "default" as INDEXED_VALUE_TYPE_INT, but the project needs Keyword. ` +
        `A type cannot be changed in place: stop the server and delete ${dbFile}`,
    );
  });

  it('uses a throwaway database under .data/temporal when none is given, and removes it on stop', async () => {
    const server = await startDevServer({ cliPath, headless: true });
    expect(path.basename(server.dbFile)).toMatch(new RegExp(`^test-${process.pid}-[0-9a-f]{8}\\.sqlite$`));
    expect(fs.existsSync(server.dbFile)).toBe(true);
    await server.stop();
    expect(fs.existsSync(server.dbFile)).toBe(false);
  });

  it('serves the Web UI when not headless', async () => {
    const server = await startDevServer({ cliPath, dbFile: path.join(sandbox, 'ui.sqlite') });
    try {
      expect(server.uiAddress).toMatch(/^http:\/\/localhost:\d+$/);
      const response = await fetch(server.uiAddress!.replace('localhost', '127.0.0.1'));
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<html');
    } finally {
      await server.stop();
    }
  });

  it('fails with a clear message when the requested port is taken', async () => {
    const occupier = net.createServer();
    await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
    const { port } = occupier.address() as net.AddressInfo;
    try {
      await expect(startDevServer({ cliPath, headless: true, port, dbFile: path.join(sandbox, 'x.sqlite') })).rejects.toThrow(
        `Temporal gRPC port ${port} on 127.0.0.1 is already in use`,
      );
    } finally {
      occupier.close();
    }
  });

  describe('when the process that started it dies', () => {
    // A real parent process runs the built code, as with-dev-server and the
    // Jest global setup do, and reports the server it started.
    async function startServerInParent(thenDo: 'wait' | 'exit'): Promise<{ parent: ReturnType<typeof spawn>; serverPid: number; dbFile: string }> {
      const script = `
        const { startDevServer } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'dev-server.js'))});
        startDevServer({ cliPath: process.env.CLI, headless: true }).then((server) => {
          console.log(JSON.stringify({ pid: server.pid, dbFile: server.dbFile }));
          if (process.argv[1] === 'exit') process.exit(0);
          setInterval(() => undefined, 1000);
        }, (error) => { console.error(error); process.exit(1); });`;
      const parent = spawn(process.execPath, ['-e', script, thenDo], { env: { ...process.env, CLI: cliPath }, stdio: ['ignore', 'pipe', 'inherit'] });
      const firstLine = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: parent.stdout! }).once('line', resolve);
        parent.once('exit', (code) => reject(new Error(`parent exited with ${code} before reporting the server`)));
      });
      const { pid, dbFile } = JSON.parse(firstLine) as { pid: number; dbFile: string };
      return { parent, serverPid: pid, dbFile };
    }

    it('is stopped when the parent is killed outright (SIGKILL: no exit hook can run)', async () => {
      const { parent, serverPid, dbFile } = await startServerInParent('wait');
      try {
        expect(isRunning(serverPid)).toBe(true);
        parent.kill('SIGKILL');
        expect(await waitUntilGone(serverPid, 20_000)).toBe(true);
      } finally {
        for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(dbFile + suffix, { force: true });
      }
    });

    it('is stopped when the parent exits without calling stop()', async () => {
      const { serverPid, dbFile } = await startServerInParent('exit');
      try {
        expect(await waitUntilGone(serverPid, 20_000)).toBe(true);
      } finally {
        for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(dbFile + suffix, { force: true });
      }
    });
  });
});
