import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brownfieldLab, labToJson, referenceLab } from '@synapse/lab';
import { referenceLabTopology } from '../src';
import { connect, getValue } from './helpers';
import { buildMain, exitOf, runToExit, startMain } from './main-process';

describe('device-sim command (dist/main.js)', () => {
  let dir: string;

  beforeAll(() => {
    buildMain();
    dir = mkdtempSync(join(tmpdir(), 'device-sim-main-'));
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON line per device, then the control line, serves gNMI, and exits 0 on SIGTERM', async () => {
    const { child, lines } = await startMain(['--base-port', '0', '--convergence-ms', '100'], 4);
    try {
      expect(lines.slice(0, 3).map((l) => l.device)).toEqual(['spine01', 'leaf01', 'leaf02']);
      for (const line of lines.slice(0, 3)) {
        expect(Object.keys(line)).toEqual(['device', 'address']);
        expect(line.address).toMatch(/^127\.0\.0\.1:\d+$/);
      }
      expect(lines[3]).toEqual({ service: 'device-sim-control', address: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });

      const client = connect(lines[1].address);
      try {
        expect(await getValue(client, '/system/name/host-name')).toBe('leaf01');
      } finally {
        client.close();
      }
      const devices = (await (await fetch(`${lines[3].address}/devices`)).json()) as { devices: Array<{ name: string; address: string }> };
      expect(devices.devices.map((d) => d.address)).toEqual(lines.slice(0, 3).map((l) => l.address));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitOf(child)).toBe(0);
  }, 30_000);

  it('serves a topology file, with TLS, and exits 0 on SIGINT', async () => {
    const topology = referenceLabTopology();
    topology.devices = topology.devices.slice(0, 2);
    topology.links = topology.links.filter((l) => l.b.device === 'leaf01');
    const file = join(dir, 'two.json');
    writeFileSync(file, JSON.stringify(topology));
    const caFile = join(dir, 'ca.pem');
    const { child, lines } = await startMain(['--topology', file, '--tls', 'self-signed', '--ca-file', caFile, '--control-port', '0'], 3);
    try {
      expect(lines.map((l) => l.device ?? l.service)).toEqual(['spine01', 'leaf01', 'device-sim-control']);
      expect(readFileSync(caFile, 'utf8')).toMatch(/BEGIN CERTIFICATE/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exitOf(child)).toBe(0);
  }, 30_000);

  it('serves a lab file as the generator writes it (the brownfield twin here), the same file the Infrahub simulator loads', async () => {
    const file = join(dir, 'brownfield.json');
    writeFileSync(file, labToJson(brownfieldLab(referenceLab())));
    const { child, lines } = await startMain(['--lab', file, '--base-port', '0', '--control-port', '0'], 4);
    try {
      expect(lines.map((l) => l.device ?? l.service)).toEqual(['spine01', 'leaf01', 'leaf02', 'device-sim-control']);
      const client = connect(lines[1].address);
      try {
        expect(await getValue(client, '/interface[name=lag1]/description')).toBe('server bond (not in Infrahub)');
      } finally {
        client.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitOf(child)).toBe(0);
    const wrong = await runToExit(['--lab', join(dir, 'absent.json')]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/lab file .*absent\.json/);
    const both = await runToExit(['--lab', file, '--topology', file]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--topology or --lab, not both/);
  }, 30_000);

  it('exits 2 with usage on a bad argument and 1 naming the field of a bad topology', async () => {
    const usage = await runToExit(['--base-port', 'ninety']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--base-port needs a port number/);
    expect(usage.stderr).toMatch(/usage: device-sim/);

    const unknown = await runToExit(['--verbose']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown argument "--verbose"/);

    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ devices: [{ name: 'r1', credentials: { username: 'admin' } }] }));
    const bad = await runToExit(['--topology', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/devices\[0\]\.credentials\.password/);
    expect(bad.stdout).toBe('');
  }, 30_000);
});
