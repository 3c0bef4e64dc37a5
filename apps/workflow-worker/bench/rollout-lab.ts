/**
 * The fleet of the rollout benchmarks: many small pods in one lab, and the
 * options both scripts take.
 *
 * One generated fabric of 1,000 devices would hang ~1,000 leaves off each
 * spine, and the device simulator recomputes every session of a device and
 * its link neighbours on each change of either: a spine with 1,000 sessions
 * makes every leaf's deploy cost O(1,000) there. Pods of
 * `generateFabric({ spines: 2, leaves: 18 })` keep each device's neighbours at
 * 18 at most, while the change still spans the whole fleet.
 *
 * A pod is the generator's fabric with its names prefixed (`p01-spine01`) and
 * its numbers moved past the earlier pods': the Lab schema wants device names,
 * loopbacks and link addresses unique across the lab (ASNs only need to
 * differ across a link, but they are moved too, so every device has its
 * own). Loopbacks stay in 10.1.0.0/16 (the `loopbacks` prefix set of the BGP
 * design) and links in 10.0.0.0/16, as the generator's.
 */
import { DeviceRole } from '@synapse/contracts';
import { generateFabric, Lab, parseIpv4Interface, type LabInput } from '@synapse/lab';

export const POD = { spines: 2, leaves: 18 } as const;
export const POD_SIZE = POD.spines + POD.leaves;

export interface PodFabric {
  lab: Lab;
  pods: number;
  /** Every device, pod by pod, spines first: the order of the change's device list. */
  devices: string[];
}

/** `devices` rounded up to whole pods of POD_SIZE. */
export function podFabric(devices: number): PodFabric {
  const pods = Math.max(1, Math.ceil(devices / POD_SIZE));
  const pod = generateFabric({ spines: POD.spines, leaves: POD.leaves });
  const width = Math.max(2, String(pods).length);
  const podDevices = pod.devices.length;
  const podLinks = pod.links.length;
  const lab: LabInput = {
    name: `pods-${pods}x${POD_SIZE}`,
    description: `${pods} pods of ${POD.spines} spines and ${POD.leaves} leaves (every leaf on both spines of its pod), eBGP underlay`,
    devices: [],
    links: [],
  };
  for (let p = 0; p < pods; p++) {
    const prefix = `p${String(p + 1).padStart(width, '0')}-`;
    for (const device of pod.devices) {
      lab.devices.push({ ...device, name: prefix + device.name, asn: device.asn + p * podDevices, loopback: shift(device.loopback, p * podDevices) });
    }
    for (const link of pod.links) {
      lab.links!.push({
        ...link,
        a: { ...link.a, device: prefix + link.a.device, address: shift(link.a.address, 2 * p * podLinks) },
        b: { ...link.b, device: prefix + link.b.device, address: shift(link.b.address, 2 * p * podLinks) },
      });
    }
  }
  // The schema checks what must be unique in one lab (names, loopbacks, link addresses, ASNs across links).
  const parsed = Lab.parse(lab);
  return { lab: parsed, pods, devices: parsed.devices.map((d) => d.name) };
}

/** `10.0.0.4/31` moved by `by` addresses. */
function shift(prefixed: string, by: number): string {
  const parsed = parseIpv4Interface(prefixed);
  if (!parsed) throw new RangeError(`not an IPv4 address with a length: ${prefixed}`);
  const value = parsed.value + by;
  const address = [24, 16, 8, 0].map((bits) => Math.floor(value / 2 ** bits) % 256).join('.');
  return `${address}/${parsed.length}`;
}

export interface RolloutOptions {
  devices: number;
  concurrency: number;
  waveSize: number;
  settleTimeoutSeconds: number;
  /** Roles deployed one device per wave (the request's default: spine, core, edge). */
  oneAtATimeRoles?: DeviceRole[];
  /** BGP comes up this long after both ends agree (the simulator's default, 3 s, would dominate). */
  convergenceMs: number;
  /** A run longer than this is stopped and reported (its progress, what is still running), not waited for. */
  timeoutMinutes: number;
  /** The workflow worker in the benchmark's process instead of its own (rollout-stack.ts says why not by default). */
  inlineWorkflowWorker?: boolean;
}

/** Both scripts' defaults: the fleet of the issue (1,000 devices), waves of 100, 20 devices at once in a wave, a short settle. */
export const ROLLOUT_DEFAULTS: RolloutOptions = {
  devices: 1000,
  concurrency: 20,
  waveSize: 100,
  settleTimeoutSeconds: 10,
  convergenceMs: 50,
  timeoutMinutes: 45,
};

/**
 * `--devices N`, `--concurrency N`, `--wave-size N`, `--settle S`,
 * `--one-at-a-time spine,core|none`, `--timeout-minutes M`,
 * `--inline-workflow-worker`; ROLLOUT_DEVICES
 * and ROLLOUT_CONCURRENCY in the environment do the same as the first two.
 */
export function parseRolloutOptions(argv: readonly string[], defaults: RolloutOptions): RolloutOptions {
  const options: RolloutOptions = { ...defaults };
  const env = process.env;
  if (env.ROLLOUT_DEVICES) options.devices = positive('ROLLOUT_DEVICES', env.ROLLOUT_DEVICES);
  if (env.ROLLOUT_CONCURRENCY) options.concurrency = positive('ROLLOUT_CONCURRENCY', env.ROLLOUT_CONCURRENCY);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? '';
    switch (flag) {
      case '--devices':
        options.devices = positive(flag, value());
        break;
      case '--concurrency':
        options.concurrency = positive(flag, value());
        break;
      case '--wave-size':
        options.waveSize = positive(flag, value());
        break;
      case '--settle':
        options.settleTimeoutSeconds = positive(flag, value());
        break;
      case '--one-at-a-time': {
        const roles = value();
        options.oneAtATimeRoles = roles === 'none' ? [] : DeviceRole.array().parse(roles.split(',').filter(Boolean));
        break;
      }
      case '--timeout-minutes':
        options.timeoutMinutes = positive(flag, value());
        break;
      case '--inline-workflow-worker':
        options.inlineWorkflowWorker = true;
        break;
      default:
        throw new Error(`unknown option ${argv[i]} (--devices N, --concurrency N, --wave-size N, --settle S, --one-at-a-time roles|none, --timeout-minutes M, --inline-workflow-worker)`);
    }
  }
  return options;
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1 (got ${JSON.stringify(text)})`);
  return value;
}
