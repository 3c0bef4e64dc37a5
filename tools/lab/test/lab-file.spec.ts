import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSynapseError, type SynapseError } from '@synapse/contracts';
import { labToJson, loadLabFile, parseLab, referenceLab, type LabInput } from '../src';
import { labJsonFromArgs } from '../src/generate';

const dir = mkdtempSync(join(tmpdir(), 'lab-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The reference lab as a file would hold it, for tests to break one field at a time. */
function referenceInput(): LabInput & { devices: any[]; links: any[] } {
  return JSON.parse(labToJson(referenceLab()));
}

function failure(value: unknown): SynapseError {
  try {
    parseLab(value, 'lab file test.json');
  } catch (error) {
    if (isSynapseError(error, 'InvalidInput')) return error;
    throw error;
  }
  throw new Error('the lab was accepted');
}

describe('lab files', () => {
  it('load back to the same lab they were written from', () => {
    const path = write('reference.json', labToJson(referenceLab()));
    expect(loadLabFile(path)).toEqual(referenceLab());
  });

  it('fill in the defaults a short file leaves out (platform, status, mtu, BGP design)', () => {
    const lab = parseLab({
      name: 'two',
      devices: [
        { name: 'a1', role: 'spine', asn: 65100, loopback: '192.0.2.1/32', credentialsRef: 'lab' },
        { name: 'b1', role: 'leaf', asn: 65101, loopback: '192.0.2.2/32', credentialsRef: 'lab' },
      ],
      links: [{ a: { device: 'a1', interface: 'ethernet-1/1', address: '198.51.100.0/31' }, b: { device: 'b1', interface: 'ethernet-1/1', address: '198.51.100.1/31' } }],
    });
    expect(lab.devices[0]).toMatchObject({ platform: 'srlinux', status: 'active' });
    expect(lab.links[0].mtu).toBe(9214);
    expect(lab.bgp).toEqual({
      peerGroup: 'underlay',
      importPolicy: 'import-loopbacks',
      exportPolicy: 'export-loopbacks',
      afiSafi: ['ipv4-unicast'],
      policies: [
        { name: 'export-loopbacks', defaultAction: 'reject', statements: [{ name: 'loopbacks', match: { prefixSet: 'loopbacks' }, action: 'accept' }] },
        { name: 'import-loopbacks', defaultAction: 'reject', statements: [{ name: 'loopbacks', match: { prefixSet: 'loopbacks' }, action: 'accept' }] },
      ],
      prefixSets: [{ name: 'loopbacks', prefixes: [{ prefix: '10.1.0.0/16', maskLengthRange: '32..32' }] }],
    });
  });

  it('report a missing file and a file that is not JSON as InvalidInput naming the file', () => {
    expect(() => loadLabFile(join(dir, 'absent.json'))).toThrow(/lab file .*absent\.json: ENOENT/);
    const broken = write('broken.json', '{"name": "x", ');
    try {
      loadLabFile(broken);
      throw new Error('accepted');
    } catch (error) {
      expect(isSynapseError(error, 'InvalidInput')).toBe(true);
      expect((error as Error).message).toMatch(/broken\.json: not valid JSON/);
    }
  });

  it.each<[string, (lab: ReturnType<typeof referenceInput>) => void, string, RegExp]>([
    ['an ASN beyond 32 bits', (l) => (l.devices[1].asn = 2 ** 32), 'devices.1.asn', /Too big/],
    ['a loopback that is not a /32', (l) => (l.devices[0].loopback = '10.1.0.1/24'), 'devices.0.loopback', /must be a \/32/],
    ['a password in the lab data', (l) => (l.devices[0].password = 'NokiaSrl1!'), 'devices.0', /password/],
    ['a credentials reference that is not a name', (l) => (l.devices[2].credentialsRef = 'admin:secret'), 'devices.2.credentialsRef', /a name, never a password/],
    ['an unknown role', (l) => (l.devices[1].role = 'router'), 'devices.1.role', /spine/],
    ['a duplicate device name', (l) => (l.devices[2].name = 'leaf01'), 'devices.2.name', /duplicate device name "leaf01"/],
    ['a duplicate loopback', (l) => (l.devices[2].loopback = '10.1.0.2/32'), 'devices.2.loopback', /also devices\.1's/],
    ['a non-SR Linux port name', (l) => (l.links[0].a.interface = 'eth1'), 'links.0.a.interface', /ethernet-<slot 1\.\.99>\/<port 1\.\.128>/],
    ['a port beyond slot 99', (l) => (l.links[0].a.interface = 'ethernet-100/1'), 'links.0.a.interface', /ethernet-<slot/],
    ['a port beyond 128', (l) => (l.links[0].a.interface = 'ethernet-1/129'), 'links.0.a.interface', /ethernet-<slot/],
    ['a link to an unknown device', (l) => (l.links[1].b.device = 'leaf07'), 'links.1.b.device', /unknown device "leaf07"/],
    ['a port cabled twice', (l) => (l.links[2].b.interface = 'ethernet-1/49'), 'links.2.b.interface', /leaf01 ethernet-1\/49 is already cabled \(links\.0\.b\)/],
    ['ends in different /31s', (l) => (l.links[0].b.address = '10.0.0.3/31'), 'links.0.b.address', /not the two ends of one \/31/],
    ['a link address that is not a /31', (l) => (l.links[0].a.address = '10.0.0.0/30'), 'links.0.a.address', /must be a \/31/],
    ['an address used twice', (l) => (l.links[1].a.address = '10.0.0.0/31'), 'links.1.a.address', /10\.0\.0\.0 is already used by links\.0\.a/],
    ['a link address on a loopback', (l) => { l.devices[0].loopback = '10.0.0.6/32'; }, 'links.3.a.address', /devices\.0's loopback/],
    ['both ends in one AS', (l) => (l.devices[1].asn = 65000), 'links.0', /different ASNs.*AS65000/],
    ['a link from a device to itself', (l) => (l.links[0].b.device = 'spine01'), 'links.0.b.device', /to itself/],
    ['an MTU beyond 9500', (l) => (l.links[0].mtu = 9600), 'links.0.mtu', /Too big/],
    ['an unknown field', (l) => ((l as any).owner = 'me'), '(root)', /owner/],
    ['no devices', (l) => { l.devices = []; l.links = []; }, 'devices', /at least one device/],
  ])('refuse %s, naming the field', (_what, breakIt, field, message) => {
    const lab = referenceInput();
    breakIt(lab);
    const error = failure(lab);
    expect(error.details.fields).toContain(field);
    expect(error.message).toMatch(/^lab file test\.json: /);
    expect(error.message).toMatch(message);
  });
});

describe('generate command', () => {
  it('writes a fabric lab file that loads back', () => {
    const path = write('fabric.json', labJsonFromArgs(['--spines', '2', '--leaves', '3', '--name', 'small']));
    const lab = loadLabFile(path);
    expect(lab.name).toBe('small');
    expect(lab.devices.map((d) => d.name)).toEqual(['spine01', 'spine02', 'leaf01', 'leaf02', 'leaf03']);
    expect(lab.links).toHaveLength(6);
  });

  it('writes the reference lab', () => {
    expect(JSON.parse(labJsonFromArgs(['--reference']))).toEqual(JSON.parse(labToJson(referenceLab())));
  });

  it.each([
    [['--spines', '2'], /--spines and --leaves are both needed/],
    [['--spines', 'two', '--leaves', '1'], /--spines needs a whole number, got "two"/],
    [['--leaves'], /--leaves needs a whole number/],
    [['--colour', 'blue'], /unknown argument "--colour"/],
    [['--reference', '--spines', '1'], /--reference takes no/],
    [["--spines", "300", "--leaves", "1"], /spines must be an integer 1\.\.80/],
  ])('refuses %j', (argv, message) => {
    expect(() => labJsonFromArgs(argv)).toThrow(message);
  });
});
