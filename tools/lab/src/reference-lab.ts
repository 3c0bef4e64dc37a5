import { LAB_CREDENTIALS_REF, Lab, type LabInput } from './lab-schema';

/**
 * The three-device reference lab: spine01 with two links to each of leaf01
 * and leaf02, /31 per link, MTU 9214, eBGP on every link.
 */
export function referenceLab(): Lab {
  const device = (name: string, role: 'spine' | 'leaf', asn: number, loopback: string) => ({
    name,
    role,
    asn,
    loopback,
    platform: 'srlinux',
    status: 'active' as const,
    credentialsRef: LAB_CREDENTIALS_REF,
  });
  const link = (a: string, aIf: string, aAddr: string, b: string, bIf: string, bAddr: string) => ({
    a: { device: a, interface: aIf, address: `${aAddr}/31` },
    b: { device: b, interface: bIf, address: `${bAddr}/31` },
    mtu: 9214,
  });
  const lab: LabInput = {
    name: 'reference',
    description: 'spine01 and two leaves, two links per leaf, eBGP underlay',
    devices: [
      device('spine01', 'spine', 65000, '10.1.0.1/32'),
      device('leaf01', 'leaf', 65001, '10.1.0.2/32'),
      device('leaf02', 'leaf', 65002, '10.1.0.3/32'),
    ],
    links: [
      link('spine01', 'ethernet-1/1', '10.0.0.0', 'leaf01', 'ethernet-1/49', '10.0.0.1'),
      link('spine01', 'ethernet-1/2', '10.0.0.2', 'leaf02', 'ethernet-1/49', '10.0.0.3'),
      link('spine01', 'ethernet-1/3', '10.0.0.4', 'leaf01', 'ethernet-1/50', '10.0.0.5'),
      link('spine01', 'ethernet-1/4', '10.0.0.6', 'leaf02', 'ethernet-1/50', '10.0.0.7'),
    ],
  };
  return Lab.parse(lab);
}
