import { Asn, DeviceName, DeviceRole, DeviceStatus, Ipv4Prefix } from '@synapse/contracts';
import { z } from 'zod';
import { BgpDesign, UNDERLAY_DESIGN } from './bgp-design';
import { isEthernetName } from './interface-names';
import { parseIpv4Interface } from './ipv4';

/**
 * One description of a lab, read by both simulators: the devices the gNMI
 * simulator runs and the intended state the Infrahub simulator serves.
 */

/** A jumbo MTU every SR Linux fabric port accepts. */
export const DEFAULT_FABRIC_MTU = 9214;

/**
 * Credentials are named, never written into lab data: whoever starts a device
 * (simulator, activity) resolves the name from its own environment or file.
 */
export const CredentialsRef = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'credentials reference: lower-case letters, digits, ".", "_" or "-" (a name, never a password)');

/** The credentials every generated and reference lab device shares (SR Linux lab defaults, held by the device simulator). */
export const LAB_CREDENTIALS_REF = 'srl-lab-default';

const prefixOfLength = (length: number, what: string) =>
  Ipv4Prefix.refine((text) => parseIpv4Interface(text)?.length === length, `${what} must be a /${length}, like ${length === 32 ? '10.1.0.1/32' : '10.0.0.0/31'}`);

export const LabDevice = z
  .object({
    name: DeviceName,
    role: DeviceRole,
    asn: Asn,
    /** Address of `system0.0`, the router id and BGP source. */
    loopback: prefixOfLength(32, 'loopback'),
    platform: z.string().min(1).default('srlinux'),
    status: DeviceStatus.default('active'),
    description: z.string().max(255).optional(),
    credentialsRef: CredentialsRef,
    /**
     * An in-band management port (a front-panel port in the management
     * network-instance): Infrahub lists it with role `management`, so no
     * change may touch it.
     */
    inbandManagement: z
      .object({
        interface: z.string().refine(isEthernetName, 'must be an SR Linux port ethernet-<slot 1..99>/<port 1..128>'),
        address: Ipv4Prefix,
      })
      .strict()
      .optional(),
  })
  .strict();
export type LabDevice = z.infer<typeof LabDevice>;

export const LinkEnd = z
  .object({
    device: DeviceName,
    interface: z.string().refine(isEthernetName, 'must be an SR Linux port ethernet-<slot 1..99>/<port 1..128>'),
    /** This end's address with its length, e.g. `10.0.0.0/31`. */
    address: prefixOfLength(31, 'link address'),
  })
  .strict();
export type LinkEnd = z.infer<typeof LinkEnd>;

export const LabLink = z
  .object({
    a: LinkEnd,
    b: LinkEnd,
    mtu: z.number().int().min(1280).max(9500).default(DEFAULT_FABRIC_MTU),
  })
  .strict();
export type LabLink = z.infer<typeof LabLink>;

export const Lab = z
  .object({
    name: z.string().min(1).max(128),
    description: z.string().max(1024).optional(),
    devices: z.array(LabDevice).min(1, 'a lab needs at least one device'),
    links: z.array(LabLink).default([]),
    bgp: BgpDesign.default(() => structuredClone(UNDERLAY_DESIGN)),
    /**
     * What the devices run before any change. `greenfield`: system and
     * management only. `brownfield`: a fabric someone else built, with
     * config Synapse does not model (LAGs, IPv6, breakouts, ACLs, system
     * services, their own policies) that every change must leave alone.
     */
    initialState: z.enum(['greenfield', 'brownfield']).default('greenfield'),
  })
  .strict()
  .superRefine((lab, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

    const devices = new Map<string, { index: number; asn: number }>();
    const loopbacks = new Map<number, number>();
    lab.devices.forEach((device, i) => {
      const seen = devices.get(device.name);
      if (seen) issue(['devices', i, 'name'], `duplicate device name "${device.name}" (also devices.${seen.index})`);
      else devices.set(device.name, { index: i, asn: device.asn });
      const loopback = parseIpv4Interface(device.loopback);
      if (!loopback) return;
      const other = loopbacks.get(loopback.value);
      if (other !== undefined) issue(['devices', i, 'loopback'], `loopback ${device.loopback} is also devices.${other}'s`);
      else loopbacks.set(loopback.value, i);
    });

    const cabled = new Map<string, string>();
    lab.devices.forEach((device, i) => {
      if (device.inbandManagement) cabled.set(`${device.name} ${device.inbandManagement.interface}`, `devices.${i}.inbandManagement`);
    });
    const addresses = new Map<number, string>();
    lab.links.forEach((link, i) => {
      if (link.a.device === link.b.device) issue(['links', i, 'b', 'device'], `a link cannot connect ${link.a.device} to itself`);
      for (const side of ['a', 'b'] as const) {
        const end = link[side];
        if (!devices.has(end.device)) issue(['links', i, side, 'device'], `unknown device "${end.device}"`);
        const port = `${end.device} ${end.interface}`;
        const other = cabled.get(port);
        if (other) issue(['links', i, side, 'interface'], `${port} is already cabled (${other})`);
        else cabled.set(port, `links.${i}.${side}`);
        const address = parseIpv4Interface(end.address);
        if (!address) continue;
        const holder = addresses.get(address.value);
        if (holder) issue(['links', i, side, 'address'], `${address.address} is already used by ${holder}`);
        else addresses.set(address.value, `links.${i}.${side}`);
        const loopbackHolder = loopbacks.get(address.value);
        if (loopbackHolder !== undefined) issue(['links', i, side, 'address'], `${address.address} is devices.${loopbackHolder}'s loopback`);
      }
      const a = parseIpv4Interface(link.a.address);
      const b = parseIpv4Interface(link.b.address);
      if (a && b && (a.network !== b.network || a.value === b.value)) {
        issue(['links', i, 'b', 'address'], `${link.a.address} and ${link.b.address} are not the two ends of one /31`);
      }
      const asA = devices.get(link.a.device)?.asn;
      const asB = devices.get(link.b.device)?.asn;
      if (asA !== undefined && asA === asB) {
        issue(['links', i], `eBGP needs different ASNs on both ends; ${link.a.device} and ${link.b.device} are both AS${asA}`);
      }
    });
  });
export type Lab = z.infer<typeof Lab>;
/** A lab as written in a file: defaults (platform, status, mtu, bgp) may be left out. */
export type LabInput = z.input<typeof Lab>;
