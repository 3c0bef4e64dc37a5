import { status } from '@grpc/grpc-js';
import type { WireExtension } from '@synapse/gnmi-client';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCliArgs } from '../src/cli-args';
import { connect, expectGrpcError, getValue, startLab, update } from './helpers';
import { buildMain, runToExit, startMain, stopMain } from './main-process';

const MGMT0_DESCRIPTION = '/interface[name=mgmt0]/description';
const describeMgmt0 = (text: string, extension?: WireExtension[]) => ({ update: [update(MGMT0_DESCRIPTION, text)], extension });
const commit = (id: string): WireExtension => ({ commit: { id, commit: { rollback_duration: { seconds: 60 } } } });
const confirm = (id: string): WireExtension => ({ commit: { id, confirm: {} } });

describe('--state-dir: devices keep their saved config across restarts', () => {
  let dir: string;
  let n = 0;
  const freshDir = () => join(dir, `state-${++n}`);

  beforeAll(() => {
    buildMain();
    dir = mkdtempSync(join(tmpdir(), 'device-sim-state-'));
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a Set survives SIGTERM and a new start with the same --state-dir; without it the device starts from its initial config', async () => {
    const stateDir = freshDir();
    const reference = ['--base-port', '0', '--convergence-ms', '100'];
    const description = async (args: string[]) => {
      const { child, lines } = await startMain(args, 4);
      const leaf = connect(lines[1].address);
      try {
        return await getValue(leaf, MGMT0_DESCRIPTION).catch((error: { code: status }) => (error.code === status.NOT_FOUND ? undefined : Promise.reject(error)));
      } finally {
        leaf.close();
        expect(await stopMain(child)).toBe(0);
      }
    };

    const first = await startMain([...reference, '--state-dir', stateDir], 4);
    const leaf = connect(first.lines[1].address);
    try {
      await leaf.set(describeMgmt0('kept across restarts'));
    } finally {
      leaf.close();
      expect(await stopMain(first.child)).toBe(0);
    }
    // Only the device that changed has a file, and no temp file is left behind.
    expect(readdirSync(stateDir)).toEqual(['leaf01.json']);

    expect(await description([...reference, '--state-dir', stateDir])).toBe('kept across restarts');
    expect(await description(reference)).toBeUndefined();
  }, 30_000);

  it('refuses to start on a state file that does not parse, naming it', async () => {
    const stateDir = freshDir();
    mkdirSync(stateDir);
    writeFileSync(join(stateDir, 'leaf01.json'), '{"interface": [');
    const refused = await runToExit(['--base-port', '0', '--state-dir', stateDir]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`state file ${join(stateDir, 'leaf01.json')} is not valid JSON`);
  }, 30_000);

  it('refuses a state file the device would not accept, naming the file and the path', async () => {
    const stateDir = freshDir();
    mkdirSync(stateDir);
    writeFileSync(join(stateDir, 'spine01.json'), JSON.stringify({ interface: [{ name: 'eth1' }] }));
    await expect(startLab({ stateDir })).rejects.toThrow(
      `state file ${join(stateDir, 'spine01.json')} is not a config spine01 accepts: /interface[name=eth1]/name: "eth1" is not a valid interface name`,
    );
  });

  it('saves a confirmed commit once it is confirmed; a commit still unconfirmed at shutdown is gone on the next start, as after a reboot', async () => {
    const stateDir = freshDir();
    const saved = () => JSON.parse(readFileSync(join(stateDir, 'leaf01.json'), 'utf8')) as unknown;

    const sim = await startLab({ stateDir });
    const leaf = connect(sim.address('leaf01'));
    try {
      await leaf.set(describeMgmt0('confirmed', [commit('c1')]));
      expect(existsSync(join(stateDir, 'leaf01.json'))).toBe(false);
      await leaf.set({ extension: [confirm('c1')] });
      expect(saved()).toEqual(sim.runningConfig('leaf01'));

      await leaf.set(describeMgmt0('never confirmed', [commit('c2')]));
      expect(await getValue(leaf, MGMT0_DESCRIPTION)).toBe('never confirmed');
    } finally {
      leaf.close();
      await sim.stop();
    }

    const restarted = await startLab({ stateDir });
    const again = connect(restarted.address('leaf01'));
    const spine = connect(restarted.address('spine01'));
    try {
      expect(await getValue(again, MGMT0_DESCRIPTION)).toBe('confirmed');
      // A device that never saved boots from its initial config.
      await expectGrpcError(getValue(spine, MGMT0_DESCRIPTION), status.NOT_FOUND);
    } finally {
      again.close();
      spine.close();
      await restarted.stop();
    }
  });

  it('is a command-line option', () => {
    expect(parseCliArgs(['--state-dir', '/var/lib/device-sim'])).toMatchObject({ stateDir: '/var/lib/device-sim' });
    expect(() => parseCliArgs(['--state-dir'])).toThrow(/--state-dir needs a value/);
  });
});
