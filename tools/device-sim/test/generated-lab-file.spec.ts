import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadLabFile } from '@synapse/lab';
import { GNMI_VERSION, labTopology, loadTopologyFile } from '../src';
import { connect, getValue } from './helpers';
import { buildMain, runToExit, startMain, stopMain } from './main-process';

/** The README's `node tools/lab/dist/generate.js … > fabric.json`, run for real. */
const GENERATE = join(dirname(require.resolve('@synapse/lab/package.json')), 'dist', 'generate.js');

describe('a lab file written by the generator (generate.js … > fabric.json)', () => {
  let dir: string;

  const generate = (name: string, args: string[]): string => {
    const file = join(dir, name);
    writeFileSync(file, execFileSync(process.execPath, [GENERATE, ...args]));
    return file;
  };

  /** Starts main.js on the file, checks every device of the lab answers, and returns each device's running config. */
  async function serve(flag: '--topology' | '--lab', file: string, devices: string[]): Promise<Record<string, unknown>> {
    const { child, lines } = await startMain([flag, file, '--convergence-ms', '100'], devices.length + 1);
    try {
      expect(lines.map((line) => line.device ?? line.service)).toEqual([...devices, 'device-sim-control']);
      const configs: Record<string, unknown> = {};
      for (const { device, address } of lines.slice(0, -1)) {
        const client = connect(address);
        try {
          expect((await client.capabilities()).gNMI_version).toBe(GNMI_VERSION);
          expect(await getValue(client, '/system/name/host-name')).toBe(device);
        } finally {
          client.close();
        }
        configs[device] = await (await fetch(`${lines[lines.length - 1].address}/devices/${device}/config`)).json();
      }
      return configs;
    } finally {
      expect(await stopMain(child)).toBe(0);
    }
  }

  beforeAll(() => {
    buildMain();
    dir = mkdtempSync(join(tmpdir(), 'device-sim-generated-lab-'));
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a generated fabric', 'fabric.json', ['--spines', '2', '--leaves', '3']],
    ['the brownfield reference lab', 'brownfield.json', ['--brownfield', '--reference']],
  ])('%s is served the same with --topology as with --lab: every device announced, answering Capabilities and Get', async (_what, name, args) => {
    const file = generate(name, args);
    const devices = loadLabFile(file).devices.map((device) => device.name);

    const viaTopology = await serve('--topology', file, devices);
    const viaLab = await serve('--lab', file, devices);
    expect(viaTopology).toEqual(viaLab);
    expect(loadTopologyFile(file)).toEqual(labTopology(loadLabFile(file)));
  }, 30_000);

  it('refuses a file that is neither format, naming the file and what each format finds wrong, in plain words', async () => {
    const lab = JSON.parse(readFileSync(generate('almost.json', ['--spines', '1', '--leaves', '2']), 'utf8')) as { devices: Array<Record<string, unknown>> };
    lab.devices[0].asn = 'AS65000';
    const file = join(dir, 'almost.json');
    writeFileSync(file, JSON.stringify(lab));

    const refused = await runToExit(['--topology', file]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    const message = refused.stderr;
    expect(message).toContain(`topology file ${file} is invalid: it is neither a device-sim topology nor a lab file from tools/lab`);
    // The lab format, with one complaint, comes first; the topology's many are cut short.
    expect(message).toMatch(/As a lab file[^\n]*\n {4}devices\[0\]\.asn: should be a number, not a string \("AS65000"\)\n {2}As a topology/);
    expect(message).toContain('devices[0].credentials: missing, should be an object');
    expect(message).toMatch(/devices\[0\]: unknown fields "role", "asn"/);
    expect(message).toMatch(/… and \d+ more/);
    expect(message).not.toMatch(/Invalid input|Unrecognized key|"code"|ZodError/);
  }, 30_000);
});
