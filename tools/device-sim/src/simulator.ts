import { startControlServer, type ControlServer } from './control-server';
import { SimDevice } from './device';
import type { DeviceFaults } from './faults';
import { SavedConfigs } from './saved-config';
import { StateEngine } from './state';
import { generateSelfSignedTls, serverCredentials, type TlsMaterial } from './tls';
import { validateTopology, type Topology } from './topology';

export interface SimOptions {
  topology: Topology;
  /** Loopback only; default 127.0.0.1. */
  host?: string;
  /** How long a BGP session takes to establish once both ends agree; default 3000 ms. */
  convergenceDelayMs?: number;
  tls?: 'self-signed' | { certPem: string; keyPem: string };
  /** Start the HTTP control server on this port (0 = ephemeral). */
  controlPort?: number;
  /**
   * Keep each device's config in `<stateDir>/<device>.json` across runs, as a
   * device keeps its saved config across reboots: written after every change,
   * read at start in place of the topology's initial config.
   */
  stateDir?: string;
}

export interface DeviceSim {
  devices: Array<{ name: string; address: string }>;
  address(device: string): string;
  /** With tls 'self-signed': the CA that signed the server certificate (SAN 127.0.0.1 and localhost). */
  tlsCaPem?: string;
  /** http://127.0.0.1:port when a control port was given. */
  controlAddress?: string;
  /** Canonical (unprefixed) running config. */
  runningConfig(device: string): unknown;
  /** Derived state leaves (plus list keys), unprefixed. */
  state(device: string): unknown;
  faults(device: string): DeviceFaults;
  stop(): Promise<void>;
}

export const DEFAULT_CONVERGENCE_DELAY_MS = 3000;
const LISTEN_CONCURRENCY = 64;

async function forEachBounded<T>(items: T[], limit: number, action: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await action(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function assertLoopback(host: string): void {
  if (!/^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/.test(host)) {
    throw new Error(`device-sim listens on loopback only; host ${host} is not a loopback address`);
  }
}

/**
 * Starts every device of the topology, each with its own gRPC server on its
 * own port, and resolves once all are listening.
 */
export async function startDeviceSim(options: SimOptions): Promise<DeviceSim> {
  const host = options.host ?? '127.0.0.1';
  assertLoopback(host);
  const topology = validateTopology(options.topology, 'topology');
  const tls: TlsMaterial | undefined =
    options.tls === 'self-signed' ? await generateSelfSignedTls() : options.tls ? { certPem: options.tls.certPem, keyPem: options.tls.keyPem } : undefined;
  const credentials = serverCredentials(tls);
  const savedConfigs = options.stateDir === undefined ? undefined : new SavedConfigs(options.stateDir);
  // Every saved config is read (and checked) before anything listens: a bad file stops the start, it is never skipped.
  const bootConfigs = new Map(topology.devices.map((device) => [device.name, savedConfigs?.read(device.name) ?? topology.configs.get(device.name)!]));
  const engine = new StateEngine(options.convergenceDelayMs ?? DEFAULT_CONVERGENCE_DELAY_MS);

  const devices = new Map<string, SimDevice>();
  for (const device of topology.devices) {
    const simDevice = new SimDevice({
      name: device.name,
      credentials: device.credentials,
      host,
      port: device.port ?? 0,
      config: bootConfigs.get(device.name)!,
      engine,
      serverCredentials: credentials,
      savedConfigs,
    });
    devices.set(device.name, simDevice);
    engine.addDevice(simDevice);
  }
  for (const link of topology.links) engine.addLink(link.a, link.b);
  engine.recomputeAll();

  let control: ControlServer | undefined;
  const stopAll = async () => {
    engine.stop();
    await control?.close();
    await forEachBounded([...devices.values()], LISTEN_CONCURRENCY, (d) => d.stop());
  };

  const lookup = (name: string): SimDevice => {
    const device = devices.get(name);
    if (!device) throw new Error(`unknown device "${name}"; the simulator serves: ${[...devices.keys()].join(', ')}`);
    return device;
  };

  try {
    await forEachBounded([...devices.values()], LISTEN_CONCURRENCY, (d) => d.start());
    if (options.controlPort !== undefined) control = await startControlServer(devices, host, options.controlPort);
  } catch (error) {
    await stopAll();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    devices: [...devices.values()].map((d) => ({ name: d.name, address: d.address })),
    address: (name) => lookup(name).address,
    tlsCaPem: tls?.caPem,
    controlAddress: control?.address,
    runningConfig: (name) => structuredClone(lookup(name).config),
    state: (name) => lookup(name).stateTree(),
    faults: (name) => lookup(name).faults(),
    stop: () => (stopping ??= stopAll()),
  };
}
