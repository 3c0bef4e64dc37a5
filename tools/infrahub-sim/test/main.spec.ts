import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateFabric, labToJson, loadLabFile } from '@synapse/lab';
import { DEFAULT_LAB_API_TOKEN } from '../src';
import { parseCliArgs } from '../src/cli-args';

/** `nx serve infrahub-sim` runs dist/main.js: these tests run the built entry point as a real process. */
const MAIN = join(__dirname, '..', 'dist', 'main.js');
/** The README's `node tools/lab/dist/generate.js … > fabric.json`, run for real. */
const GENERATE = join(dirname(require.resolve('@synapse/lab/package.json')), 'dist', 'generate.js');
const dir = mkdtempSync(join(tmpdir(), 'infrahub-sim-main-'));
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npx tsc -p tools/infrahub-sim/tsconfig.json, or nx test infrahub-sim which builds)`);
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  address: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ child, address: JSON.parse(line).address, stderr: () => stderr, exited }));
    exited.then((code) => reject(new Error(`infrahub-sim exited with ${code} before it was ready: ${stderr}`)));
  });
}

async function count(address: string, token: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${address}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-infrahub-key': token },
    body: JSON.stringify({ query: '{ DcimDevice { count } }' }),
  });
  return { status: response.status, body: await response.json() };
}

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

describe('infrahub-sim command', () => {
  it('serves the reference lab, announces its address as JSON, takes its token from INFRAHUB_SIM_TOKEN, and stops on SIGTERM', async () => {
    const sim = await start(['--port', '0'], { INFRAHUB_SIM_TOKEN: 'token-from-env' });
    expect(sim.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await count(sim.address, 'token-from-env')).toEqual({ status: 200, body: { data: { DcimDevice: { count: 3 } } } });
    expect((await count(sim.address, DEFAULT_LAB_API_TOKEN)).status).toBe(401);
    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
    expect(sim.stderr()).toContain('SIGTERM, stopping');
  });

  it('serves a lab file given with --lab and stops on SIGINT', async () => {
    const path = join(dir, 'fabric.json');
    writeFileSync(path, labToJson(generateFabric({ spines: 2, leaves: 3 })));
    const sim = await start(['--lab', path, '--port', '0']);
    expect((await count(sim.address, DEFAULT_LAB_API_TOKEN)).body.data.DcimDevice.count).toBe(5);
    sim.child.kill('SIGINT');
    expect(await sim.exited).toBe(0);
  });

  it('exits 2 with the usage on bad arguments, and 1 naming the file when the lab cannot be read', async () => {
    const badPort = await run(['--port', '99999']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port needs a port number 0\.\.65535, got "99999"[\s\S]*usage: infrahub-sim/);
    const missing = await run(['--lab', join(dir, 'absent.json'), '--port', '0']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/lab file .*absent\.json: ENOENT/);
  });
});

describe('command-line parsing', () => {
  it('defaults to Infrahub\'s port on loopback', () => {
    expect(parseCliArgs([])).toEqual({ host: '127.0.0.1', port: 8000, allowAnonymousRead: false });
    expect(parseCliArgs(['--allow-anonymous-read', '--host', '::1', '--port', '0'])).toEqual({ host: '::1', port: 0, allowAnonymousRead: true });
  });

  it.each([
    [['--lab'], /--lab needs a value/],
    [['--port', 'http'], /--port needs a port number/],
    [['--verbose'], /unknown argument "--verbose"/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe('infrahub-sim --lab on a file the generator wrote (generate.js … > fabric.json)', () => {
  it.each([
    ['a generated fabric', ['--spines', '2', '--leaves', '3']],
    ['the brownfield reference lab', ['--brownfield', '--reference']],
  ])('%s: every device of the lab is listed over GraphQL with its role', async (_what, args) => {
    const file = join(dir, 'generated-lab.json');
    writeFileSync(file, execFileSync(process.execPath, [GENERATE, ...args]));
    const lab = loadLabFile(file);

    const sim = await start(['--lab', file, '--port', '0']);
    try {
      const response = await fetch(`${sim.address}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-infrahub-key': DEFAULT_LAB_API_TOKEN },
        body: JSON.stringify({ query: '{ DcimDevice { count edges { node { name { value } role { value } } } } }' }),
      });
      expect(response.status).toBe(200);
      const { data } = (await response.json()) as {
        data: { DcimDevice: { count: number; edges: Array<{ node: { name: { value: string }; role: { value: string } } }> } };
      };
      expect(data.DcimDevice.count).toBe(lab.devices.length);
      const listed = data.DcimDevice.edges.map(({ node }) => [node.name.value, node.role.value]);
      expect(listed.sort()).toEqual(lab.devices.map((device) => [device.name, device.role]).sort());
    } finally {
      sim.child.kill('SIGTERM');
      expect(await sim.exited).toBe(0);
    }
  }, 20_000);
});
