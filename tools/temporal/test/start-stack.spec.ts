import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildExit } from '../src/managed-child';
import { deviceSimService } from '../src/stack/device-sim-service';
import { runStack, type StackHooks } from '../src/stack/run-stack';
import type { RunningService, StackService } from '../src/stack/stack-service';
import { waitUntilGone } from './process-state';

/**
 * `npm start` supervision: services start in order and see what earlier ones
 * export; Ctrl-C stops them in reverse order; one dying takes the rest down
 * with a non-zero exit. The device simulator is a small stand-in script that
 * speaks the real one's stdout protocol (tools/device-sim is built
 * separately).
 */
describe('the npm start stack', () => {
  let sandbox: string;
  let events: string[];
  let consoleError: jest.SpyInstance;
  let savedDataDir: string | undefined;

  beforeEach(() => {
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'start-stack-'));
    events = [];
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    // The stack's files (the device inventory) go to the sandbox, not the checkout's .data/.
    savedDataDir = process.env.SYNAPSE_STACK_DATA_DIR;
    process.env.SYNAPSE_STACK_DATA_DIR = sandbox;
  });
  afterEach(() => {
    consoleError.mockRestore();
    if (savedDataDir === undefined) delete process.env.SYNAPSE_STACK_DATA_DIR;
    else process.env.SYNAPSE_STACK_DATA_DIR = savedDataDir;
    fs.rmSync(sandbox, { recursive: true, force: true });
  });

  function inMemoryService(name: string, options: { failToStart?: string; exportAs?: string } = {}): StackService & { sawEnv?: NodeJS.ProcessEnv } {
    const service: StackService & { sawEnv?: NodeJS.ProcessEnv } = {
      name,
      async start(context) {
        service.sawEnv = { ...context.env };
        if (options.failToStart) throw new Error(options.failToStart);
        events.push(`start ${name}`);
        let markExited: (exit: ChildExit) => void = () => undefined;
        const exited = new Promise<ChildExit>((resolve) => (markExited = resolve));
        const running: RunningService = {
          name,
          banner: [`${name} is up`],
          exports: options.exportAs ? { [options.exportAs]: `${name}-address` } : {},
          exited,
          async stop() {
            events.push(`stop ${name}`);
            markExited({ code: 0, signal: null });
          },
        };
        return running;
      },
    };
    return service;
  }

  function fakeDeviceSim(behaviour: 'serve' | 'crash-before-ready'): string {
    const entry = path.join(sandbox, 'fake-device-sim.js');
    const pidFile = path.join(sandbox, 'device-sim.pid');
    fs.writeFileSync(
      entry,
      behaviour === 'crash-before-ready'
        ? `console.log(JSON.stringify({ device: 'spine01', address: '127.0.0.1:57400' }));\nconsole.error('topology file is invalid');\nprocess.exit(3);\n`
        : [
            `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));`,
            `if (!process.argv.includes('--control-port')) process.exit(9);`,
            // As device-sim does before it prints the devices: the CA of its TLS.
            `require('node:fs').writeFileSync(process.argv[process.argv.indexOf('--ca-file') + 1], 'fake CA');`,
            `console.error('loading the default lab topology');`,
            `console.log(JSON.stringify({ device: 'spine01', address: '127.0.0.1:57400' }));`,
            `console.log(JSON.stringify({ device: 'leaf01', address: '127.0.0.1:57401' }));`,
            `console.log(JSON.stringify({ service: 'device-sim-control', address: 'http://127.0.0.1:39999' }));`,
            `setInterval(() => undefined, 1000);`,
          ].join('\n'),
    );
    return entry;
  }

  const recordingHooks = (banner: string[], reasons: string[]): StackHooks => ({
    onReady: (running) => banner.push(...running.flatMap((service) => service.banner)),
    onStopping: (reason) => reasons.push(reason),
  });

  it('starts in order, shows every device in the banner, and when the simulator dies stops the rest and exits non-zero', async () => {
    const temporal = inMemoryService('temporal', { exportAs: 'TEMPORAL_ADDRESS' });
    const banner: string[] = [];
    const reasons: string[] = [];
    const stack = runStack([temporal, deviceSimService(fakeDeviceSim('serve'))], recordingHooks(banner, reasons));

    const simPid = await waitForPid(path.join(sandbox, 'device-sim.pid'));
    await waitFor(() => banner.length > 0);
    expect(banner.join('\n')).toMatch(/spine01\s+127\.0\.0\.1:57400\n\s+leaf01\s+127\.0\.0\.1:57401/);
    expect(banner.join('\n')).toContain('Device-sim control  http://127.0.0.1:39999');
    expect(banner.join('\n')).toContain('credentials:');
    // Its own logs still reach the person at the terminal, labelled.
    expect(consoleError).toHaveBeenCalledWith('[device-sim]', 'loading the default lab topology');

    process.kill(simPid, 'SIGKILL');
    await expect(stack).resolves.toBe(1);
    expect(reasons).toEqual(['device simulator stopped unexpectedly (killed by SIGKILL), stopping the rest']);
    expect(events).toEqual(['start temporal', 'stop temporal']);
  });

  it('stops everything in reverse order on Ctrl-C (SIGINT) and exits 0; the simulator process is gone', async () => {
    const temporal = inMemoryService('temporal', { exportAs: 'TEMPORAL_ADDRESS' });
    const infrahub = inMemoryService('infrahub-sim');
    const banner: string[] = [];
    const reasons: string[] = [];
    const stack = runStack([temporal, deviceSimService(fakeDeviceSim('serve')), infrahub], recordingHooks(banner, reasons));
    await waitFor(() => banner.length > 0);
    const simPid = await waitForPid(path.join(sandbox, 'device-sim.pid'));

    process.emit('SIGINT', 'SIGINT');

    await expect(stack).resolves.toBe(0);
    expect(reasons).toEqual(['SIGINT received, stopping everything']);
    expect(events).toEqual(['start temporal', 'start infrahub-sim', 'stop infrahub-sim', 'stop temporal']);
    expect(await waitUntilGone(simPid, 5_000)).toBe(true);
    // Later services are configured by what earlier ones export.
    expect(infrahub.sawEnv?.TEMPORAL_ADDRESS).toBe('temporal-address');
  });

  it('stops everything in reverse order when the terminal hangs up (SIGHUP) and exits 0', async () => {
    const reasons: string[] = [];
    const stack = runStack([inMemoryService('temporal'), inMemoryService('device-worker')], recordingHooks([], reasons));
    await waitFor(() => events.length === 2);

    process.emit('SIGHUP', 'SIGHUP');

    await expect(stack).resolves.toBe(0);
    expect(reasons).toEqual(['SIGHUP received, stopping everything']);
    expect(events).toEqual(['start temporal', 'start device-worker', 'stop device-worker', 'stop temporal']);
  });

  it('stops everything when whoever launched it goes away, saying so', async () => {
    const reasons: string[] = [];
    let launcherGone: (what: string) => void = () => undefined;
    const stopWhen = new Promise<string>((resolve) => (launcherGone = resolve));
    const stack = runStack([inMemoryService('temporal'), inMemoryService('device-worker')], recordingHooks([], reasons), { stopWhen });
    await waitFor(() => events.length === 2);

    launcherGone('npm start (pid 4242), which started us, is gone');

    await expect(stack).resolves.toBe(0);
    expect(reasons).toEqual(['npm start (pid 4242), which started us, is gone, stopping everything']);
    expect(events).toEqual(['start temporal', 'start device-worker', 'stop device-worker', 'stop temporal']);
  });

  it('passes the device simulator a state directory in the stack’s data, so device configs survive a restart', async () => {
    const banner: string[] = [];
    const stack = runStack([deviceSimService(fakeDeviceSim('serve'))], recordingHooks(banner, []));
    await waitFor(() => banner.length > 0);
    const simPid = await waitForPid(path.join(sandbox, 'device-sim.pid'));
    const args = fs.readFileSync(`/proc/${simPid}/cmdline`, 'utf8').split('\0');
    expect(args[args.indexOf('--state-dir') + 1]).toBe(path.join(sandbox, 'stack', 'devices'));
    expect(fs.readFileSync(path.join(sandbox, 'stack', 'device-inventory.jsonl'), 'utf8')).toContain('"device":"spine01"');

    process.emit('SIGTERM', 'SIGTERM');
    await expect(stack).resolves.toBe(0);
  });

  it('stops what already started when a later service cannot start', async () => {
    const reasons: string[] = [];
    const stack = runStack([inMemoryService('temporal'), inMemoryService('device-worker', { failToStart: 'TEMPORAL_ADDRESS unreachable' })], recordingHooks([], reasons));
    await expect(stack).resolves.toBe(1);
    expect(reasons).toEqual(['could not start device-worker: TEMPORAL_ADDRESS unreachable']);
    expect(events).toEqual(['start temporal', 'stop temporal']);
  });

  it('says how to build the simulator when it has not been built', async () => {
    const reasons: string[] = [];
    await expect(runStack([deviceSimService(path.join(sandbox, 'missing', 'main.js'))], recordingHooks([], reasons))).resolves.toBe(1);
    expect(reasons[0]).toMatch(/main\.js does not exist: build it first \(`npx nx build device-sim`/);
  });

  it('reports the simulator’s own last words when it exits before it is ready', async () => {
    const reasons: string[] = [];
    await expect(runStack([deviceSimService(fakeDeviceSim('crash-before-ready'))], recordingHooks([], reasons))).resolves.toBe(1);
    expect(reasons[0]).toMatch(/could not start device simulator: device-sim \(.*\) exited before it was ready\. Its last output:\n.*topology file is invalid/s);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForPid(file: string): Promise<number> {
  await waitFor(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').length > 0);
  return Number(fs.readFileSync(file, 'utf8'));
}
