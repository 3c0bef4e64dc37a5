import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFabric, loadTopologyFile, referenceLabTopology, startDeviceSim, TopologyError, validateTopology, type Topology } from '../src';

const device = (name: string, extra: Record<string, unknown> = {}) => ({ name, credentials: { username: 'admin', password: 'pw' }, initialConfig: {}, ...extra });

describe('topology', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'device-sim-topology-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('loads a valid topology file', () => {
    const topology = loadTopologyFile(
      file('ok.json', {
        devices: [device('r1', { port: 57999, initialConfig: { 'srl_nokia-interfaces:interface': [{ name: 'ethernet-1/1' }] } }), device('r2')],
        links: [{ a: { device: 'r1', interface: 'ethernet-1/1' }, b: { device: 'r2', interface: 'ethernet-1/1' } }],
      }),
    );
    expect(topology.devices.map((d) => [d.name, d.port])).toEqual([
      ['r1', 57999],
      ['r2', undefined],
    ]);
    expect(topology.links).toHaveLength(1);
  });

  it.each([
    ['a device name with spaces', { devices: [device('r 1')] }, /devices\[0\]\.name: device name/],
    ['a missing password', { devices: [{ name: 'r1', credentials: { username: 'admin' } }] }, /devices\[0\]\.credentials\.password/],
    ['a port out of range', { devices: [device('r1', { port: 70000 })] }, /devices\[0\]\.port/],
    ['duplicate device names', { devices: [device('r1'), device('r1')] }, /devices\[1\]\.name: duplicate device name "r1"/],
    ['two devices on one port', { devices: [device('r1', { port: 58000 }), device('r2', { port: 58000 })] }, /devices\[1\]\.port: port 58000 is also used by devices\[0\]/],
    ['no devices', { devices: [] }, /devices: a topology needs at least one device/],
    ['an unknown field', { devices: [device('r1')], extra: true }, /unrecognized key.*extra|extra/i],
    [
      'a link to an unknown device',
      { devices: [device('r1')], links: [{ a: { device: 'r1', interface: 'ethernet-1/1' }, b: { device: 'r9', interface: 'ethernet-1/1' } }] },
      /links\[0\]\.b\.device: unknown device "r9"/,
    ],
    [
      'a link on a non-ethernet interface',
      { devices: [device('r1'), device('r2')], links: [{ a: { device: 'r1', interface: 'mgmt0' }, b: { device: 'r2', interface: 'ethernet-1/1' } }] },
      /links\[0\]\.a\.interface: must be an ethernet port/,
    ],
    [
      'an interface cabled twice',
      {
        devices: [device('r1'), device('r2'), device('r3')],
        links: [
          { a: { device: 'r1', interface: 'ethernet-1/1' }, b: { device: 'r2', interface: 'ethernet-1/1' } },
          { a: { device: 'r1', interface: 'ethernet-1/1' }, b: { device: 'r3', interface: 'ethernet-1/1' } },
        ],
      },
      /links\[1\]\.a\.interface: r1 ethernet-1\/1 is already cabled \(links\[0\]\)/,
    ],
    [
      'an initial config the device would refuse',
      { devices: [device('r1'), device('r2', { initialConfig: { interface: [{ name: 'eth1' }] } })] },
      /devices\[1\]\.initialConfig: \/interface\[name=eth1\]\/name: "eth1" is not a valid interface name/,
    ],
  ])('refuses %s, naming the field', (_what, content, message) => {
    const path = file('bad.json', content);
    expect(() => loadTopologyFile(path)).toThrow(TopologyError);
    expect(() => loadTopologyFile(path)).toThrow(message);
    expect(() => loadTopologyFile(path)).toThrow(`topology file ${path} is invalid`);
  });

  it('refuses a file that is missing or not JSON', () => {
    expect(() => loadTopologyFile(join(dir, 'nope.json'))).toThrow(/cannot read topology file .*nope\.json/);
    expect(() => loadTopologyFile(file('garbage.json', '{devices'))).toThrow(/is not valid JSON/);
  });

  it('describes the reference lab in its pre-change state', () => {
    const lab = referenceLabTopology();
    expect(lab.devices.map((d) => d.name)).toEqual(['spine01', 'leaf01', 'leaf02']);
    expect(lab.devices.every((d) => d.credentials.username === 'admin' && d.credentials.password === 'NokiaSrl1!' && d.port === undefined)).toBe(true);
    expect(lab.links.map((l) => `${l.a.device}:${l.a.interface}-${l.b.device}:${l.b.interface}`)).toEqual([
      'spine01:ethernet-1/1-leaf01:ethernet-1/49',
      'spine01:ethernet-1/2-leaf02:ethernet-1/49',
      'spine01:ethernet-1/3-leaf01:ethernet-1/50',
      'spine01:ethernet-1/4-leaf02:ethernet-1/50',
    ]);
    const { configs } = validateTopology(lab);
    const spine = configs.get('spine01')!;
    expect(Object.keys(spine).sort()).toEqual(['interface', 'network-instance', 'system']);
    expect((spine.interface as Array<{ name: string }>).map((i) => i.name)).toEqual(['mgmt0']);
    expect(spine.system).toMatchObject({ name: { 'host-name': 'spine01' } });
  });

  it('generates a spine-leaf fabric with every leaf cabled to every spine', () => {
    const fabric = generateFabric({ spines: 2, leaves: 130 });
    expect(fabric.devices).toHaveLength(132);
    expect(fabric.devices.slice(0, 3).map((d) => d.name)).toEqual(['spine01', 'spine02', 'leaf001']);
    expect(fabric.links).toHaveLength(260);
    expect(fabric.links).toContainEqual({ a: { device: 'spine02', interface: 'ethernet-2/2' }, b: { device: 'leaf130', interface: 'ethernet-1/50' } });
    expect(() => validateTopology(fabric)).not.toThrow();
    expect(() => generateFabric({ spines: 0, leaves: 2 })).toThrow(RangeError);
    expect(() => generateFabric({ spines: 2, leaves: 1.5 })).toThrow(/leaves must be an integer/);
  });

  it('refuses to start an invalid topology, a non-loopback host or a taken port', async () => {
    await expect(startDeviceSim({ topology: { devices: [device('r1'), device('r1')], links: [] } as Topology })).rejects.toThrow(/duplicate device name/);
    await expect(startDeviceSim({ topology: referenceLabTopology(), host: '0.0.0.0' })).rejects.toThrow(/loopback only/);

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const takenPort = (blocker.address() as AddressInfo).port;
    try {
      const topology = referenceLabTopology();
      topology.devices[1].port = takenPort;
      await expect(startDeviceSim({ topology })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      blocker.close();
    }
  }, 15_000);
});
