import { connect, createServer, type Server, type Socket } from 'node:net';
import { isSynapseError, type ErrorType, type SynapseError } from '@synapse/contracts';
import { LAB_PLAINTEXT_TRANSPORT, type DeviceSim } from '@synapse/device-sim';
import { GnmiClient, type GnmiClientOptions, type GnmiTargetInput, type SubscriptionEvent } from '@synapse/gnmi-client';

/** Shared arrangements for the integration scenarios: lab credentials, SR Linux fixtures, small waits. */

export const ADMIN = { username: 'admin', password: 'NokiaSrl1!' };

/** A client of one simulated device with the lab login; plaintext (credentials allowed) unless `target` names a transport. */
export function clientFor(sim: DeviceSim, device: string, target: Partial<GnmiTargetInput> = {}, options?: GnmiClientOptions): GnmiClient {
  return new GnmiClient({ name: device, address: sim.address(device), timeoutMs: 5000, transport: LAB_PLAINTEXT_TRANSPORT, ...target }, ADMIN, options);
}

/** Awaits a rejection and checks it is the product's typed error of `type`. */
export async function expectTypedError(promise: Promise<unknown>, type: ErrorType): Promise<SynapseError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  if (!isSynapseError(caught)) throw new Error(`expected a SynapseError ${type}, got ${caught === undefined ? 'success' : String(caught)}`);
  if (caught.type !== type) throw new Error(`expected ${type}, got ${caught.type}: ${caught.message}`);
  return caught;
}

/** Reads events until `done` says so; fails the test if that takes longer than `timeoutMs`. */
export async function eventsUntil(
  events: AsyncIterable<SubscriptionEvent>,
  done: (seen: SubscriptionEvent[]) => boolean,
  timeoutMs: number,
): Promise<SubscriptionEvent[]> {
  const seen: SubscriptionEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`condition not met within ${timeoutMs} ms; events: ${JSON.stringify(seen)}`)), timeoutMs);
  });
  const read = (async () => {
    const iterator = events[Symbol.asyncIterator]();
    while (!done(seen)) {
      const next = await iterator.next();
      if (next.done) throw new Error(`subscription ended before the condition was met; events: ${JSON.stringify(seen)}`);
      seen.push(next.value);
    }
    return seen;
  })();
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback port nobody listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A TCP relay in front of a device that counts the connections made through
 * it: the way to see, from outside the client, that calls share one channel.
 */
export async function startCountingRelay(target: string): Promise<{ address: string; connections: () => number; close: () => Promise<void> }> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  let connections = 0;
  const relay: Server = createServer((inbound) => {
    connections++;
    const outbound = connect(port, host);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  const relayPort = await new Promise<number>((resolve) => relay.listen(0, '127.0.0.1', () => resolve((relay.address() as { port: number }).port)));
  return {
    address: `127.0.0.1:${relayPort}`,
    connections: () => connections,
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}

// ---- SR Linux native config (JSON_IETF, module-qualified as a device returns it) ----

export interface FabricLink {
  interface: string;
  /** This end's /31 address and the peer's. */
  local: string;
  peer: string;
}

/** A routed fabric port with one IPv4 subinterface. */
export function routedInterface(name: string, address: string, description: string) {
  return {
    name,
    description,
    'admin-state': 'enable',
    mtu: 9214,
    subinterface: [{ index: 0, 'admin-state': 'enable', ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': `${address}/31` }] } }],
  };
}

/** The default network-instance with eBGP to the given peers, as `/network-instance[name=default]` holds it. */
export function defaultInstanceWithBgp(opts: { asn: number; routerId: string; links: FabricLink[]; peerAs: number; group: string }) {
  return {
    name: 'default',
    type: 'srl_nokia-network-instance:default',
    'admin-state': 'enable',
    interface: opts.links.map((l) => ({ name: `${l.interface}.0` })),
    protocols: {
      'srl_nokia-bgp:bgp': {
        'autonomous-system': opts.asn,
        'router-id': opts.routerId,
        'admin-state': 'enable',
        'afi-safi': [{ 'afi-safi-name': 'srl_nokia-common:ipv4-unicast', 'admin-state': 'enable' }],
        group: [{ 'group-name': opts.group, 'admin-state': 'enable', 'export-policy': ['accept-all'], 'import-policy': ['accept-all'] }],
        neighbor: opts.links.map((l) => ({ 'peer-address': l.peer, 'peer-as': opts.peerAs, 'peer-group': opts.group })),
      },
    },
  };
}

export const ACCEPT_ALL_POLICY = { policy: [{ name: 'accept-all', 'default-action': { 'policy-result': 'accept' } }] };

/** The Set of one device's fabric config: interfaces, routing policy and BGP, replaced in one request. */
export function fabricSet(opts: { asn: number; peerAs: number; routerId: string; group: string; links: FabricLink[] }) {
  return {
    replace: [
      ...opts.links.map((l) => ({ path: `/interface[name=${l.interface}]`, value: routedInterface(l.interface, l.local, `fabric link ${l.interface}`) })),
      { path: '/routing-policy', value: ACCEPT_ALL_POLICY },
      { path: '/network-instance[name=default]', value: defaultInstanceWithBgp(opts) },
    ],
  };
}

/** spine01 ethernet-1/1 <-> leaf01 ethernet-1/49 in the reference lab. */
export const SPINE01_TO_LEAF01 = { asn: 65000, peerAs: 65001, routerId: '10.255.0.1', group: 'leaves', links: [{ interface: 'ethernet-1/1', local: '10.1.1.0', peer: '10.1.1.1' }] };
export const LEAF01_TO_SPINE01 = { asn: 65001, peerAs: 65000, routerId: '10.255.1.1', group: 'spines', links: [{ interface: 'ethernet-1/49', local: '10.1.1.1', peer: '10.1.1.0' }] };

/** Lists compared regardless of order: the device may keep entries in its own order. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .map(canonical)
      .map((entry) => ({ entry, text: JSON.stringify(entry) }))
      .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
      .map(({ entry }) => entry);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

/**
 * The simulator keeps its running config canonical, with identity values
 * unqualified (`ip-vrf`); JSON_IETF qualifies them (`srl_nokia-network-instance:ip-vrf`).
 * Test-only: safe here because every SR Linux identity module starts `srl_nokia-`.
 */
export function withoutIdentityModules(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/^srl_nokia-[a-z-]+:/, '');
  if (Array.isArray(value)) return value.map(withoutIdentityModules);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, withoutIdentityModules(v)]));
  }
  return value;
}
