import { DeviceName } from '@synapse/contracts';
import { z } from 'zod';
import { GnmiError } from './errors';
import { interfaceKind } from './interface-names';
import { plainIssue } from './issues';
import { loadConfigDocument } from './set-request';
import type { JsonObject } from './tree';

export interface TopologyDevice {
  name: string;
  port?: number;
  credentials: { username: string; password: string };
  /** SR Linux native JSON (prefixed or not) at the root. */
  initialConfig: unknown;
}

export interface TopologyLink {
  a: { device: string; interface: string };
  b: { device: string; interface: string };
}

export interface Topology {
  devices: TopologyDevice[];
  links: TopologyLink[];
}

const LinkEnd = z
  .object({
    device: z.string().min(1),
    interface: z.string().refine((name) => interfaceKind(name) === 'ethernet', 'must be an ethernet port (ethernet-<slot>/<port>)'),
  })
  .strict();

const TopologySchema = z
  .object({
    devices: z
      .array(
        z
          .object({
            name: DeviceName,
            port: z.number().int().min(0).max(65535).optional(),
            credentials: z.object({ username: z.string().min(1), password: z.string().min(1) }).strict(),
            initialConfig: z.unknown().optional(),
          })
          .strict(),
      )
      .min(1, 'a topology needs at least one device'),
    links: z.array(z.object({ a: LinkEnd, b: LinkEnd }).strict()).default([]),
  })
  .strict()
  .superRefine((topology, ctx) => {
    const names = new Map<string, number>();
    const ports = new Map<number, number>();
    topology.devices.forEach((device, i) => {
      if (names.has(device.name)) ctx.addIssue({ code: 'custom', path: ['devices', i, 'name'], message: `duplicate device name "${device.name}" (also devices[${names.get(device.name)}])` });
      names.set(device.name, i);
      if (device.port) {
        if (ports.has(device.port)) ctx.addIssue({ code: 'custom', path: ['devices', i, 'port'], message: `port ${device.port} is also used by devices[${ports.get(device.port)}]` });
        ports.set(device.port, i);
      }
    });
    const cabled = new Map<string, string>();
    topology.links.forEach((link, i) => {
      for (const side of ['a', 'b'] as const) {
        const end = link[side];
        if (!names.has(end.device)) ctx.addIssue({ code: 'custom', path: ['links', i, side, 'device'], message: `unknown device "${end.device}"` });
        const key = `${end.device} ${end.interface}`;
        if (cabled.has(key)) ctx.addIssue({ code: 'custom', path: ['links', i, side, 'interface'], message: `${key} is already cabled (${cabled.get(key)})` });
        cabled.set(key, `links[${i}]`);
      }
      if (link.a.device === link.b.device && link.a.interface === link.b.interface) {
        ctx.addIssue({ code: 'custom', path: ['links', i, 'b'], message: 'a link cannot connect an interface to itself' });
      }
    });
  });

export class TopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}

type TopologyShape = z.infer<typeof TopologySchema>;

/** The topology's shape (fields, names, ports, links), or what is wrong with it in plain words. */
export function parseTopologyShape(input: unknown): { topology: TopologyShape; problems?: undefined } | { topology?: undefined; problems: string[] } {
  const parsed = TopologySchema.safeParse(input);
  if (parsed.success) return { topology: parsed.data };
  return { problems: parsed.error.issues.map((issue) => plainIssue(issue, input)) };
}

/**
 * Checks a topology: its shape (zod), unique names and ports, links between
 * existing devices' ethernet ports, and every initial config against the
 * device model. Errors name the offending field, e.g.
 * `devices[1].credentials.password: ...` or `devices[0].initialConfig: /interface[name=eth1]/name: ...`.
 */
export function validateTopology(input: unknown, source = 'topology'): Topology & { configs: Map<string, JsonObject> } {
  const { topology, problems } = parseTopologyShape(input);
  if (!topology) throw new TopologyError(`${source} is invalid:\n  ${problems.join('\n  ')}`);
  const configs = new Map<string, JsonObject>();
  topology.devices.forEach((device, i) => {
    try {
      configs.set(device.name, loadConfigDocument(device.initialConfig));
    } catch (error) {
      const reason = error instanceof GnmiError ? error.message : String(error);
      throw new TopologyError(`${source} is invalid:\n  devices[${i}].initialConfig: ${reason}`);
    }
  });
  const devices = topology.devices.map((d) => ({ ...d, initialConfig: d.initialConfig ?? {} }));
  return { devices, links: topology.links, configs };
}
