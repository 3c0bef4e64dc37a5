import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ManagedConfig } from '@synapse/contracts';
import { deployOperations, DocumentStore, expectedState, renderConfig, type ExpectedState } from '@synapse/device-config';
import { LAB_CREDENTIALS, LAB_PLAINTEXT_TRANSPORT, labTopology, startDeviceSim, type DeviceSim } from '@synapse/device-sim';
import { GnmiClient, GnmiClientPool, type CredentialsLookup } from '@synapse/gnmi-client';
import { deviceIntent, referenceLab, type Lab } from '@synapse/lab';
import type { EncryptionKeyring } from '@synapse/temporal-connection';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Info } from '@temporalio/activity';
import { createDeviceActivities, type DeviceActivityDeps, type DeviceWorkerActivities, type GnmiClientFactory } from '../src/activities';
import { GitBackupStore } from '../src/backup-store/git-backup-store';
import { PLAINTEXT_CREDENTIALS_SETTING } from '../src/config';
import { StaticDeviceDirectory, type InventoryEntry } from '../src/device-directory';

export const LAB_DEVICES = ['spine01', 'leaf01', 'leaf02'] as const;
export type LabDevice = (typeof LAB_DEVICES)[number];

/** Fast enough for 2 shared cores: BGP establishes 100 ms after both ends agree. */
export const CONVERGENCE_MS = 100;
export const HEARTBEAT_MS = 100;

/**
 * The reference lab in the device simulator, a temporary git backup store
 * and the activities wired to both over loopback, as the worker wires them
 * to real devices. `admin` clients arrange and inspect devices behind the
 * activities' back, the way an operator would with gnmic.
 */
export interface TestLab {
  sim: DeviceSim;
  backups: GitBackupStore;
  backupDir: string;
  /** With `tls`: the simulator's CA, as a worker's SYNAPSE_GNMI_CA_FILE would name it. */
  caFile?: string;
  directory: StaticDeviceDirectory;
  /** The document store (SYNAPSE_DOCUMENT_DIR) the activities read configs by reference from, as the infrahub worker fills it. */
  documents: DocumentStore;
  activities: DeviceWorkerActivities;
  admin: Record<LabDevice, GnmiClient>;
  stop(): Promise<void>;
}

export interface TestLabOptions {
  /** Per-device credentials the worker would hold; the lab's admin login by default. */
  credentials?: CredentialsLookup;
  /** Replace the pool, e.g. with a factory that wraps clients. */
  gnmi?: (pool: GnmiClientPool) => DeviceActivityDeps['gnmi'];
  timeoutMs?: number;
  extraDevices?: Record<string, InventoryEntry>;
  /** Another lab (the brownfield one); the reference lab by default. */
  lab?: Lab;
  /** Payload keys, which also encrypt the backups at rest; none by default. */
  keyring?: EncryptionKeyring;
  /** The simulator serves TLS with its own CA, which the activities verify (the worker's default transport); plaintext otherwise. */
  tls?: boolean;
  /** false: the activities get no document store (a worker without SYNAPSE_DOCUMENT_DIR). */
  documents?: boolean;
}

export async function startTestLab(options: TestLabOptions = {}): Promise<TestLab> {
  const sim = await startDeviceSim({ topology: labTopology(options.lab ?? referenceLab()), convergenceDelayMs: CONVERGENCE_MS, ...(options.tls ? { tls: 'self-signed' as const } : {}) });
  const backupDir = mkdtempSync(path.join(tmpdir(), 'device-worker-backups-'));
  const caFile = options.tls ? path.join(backupDir, '..', `${path.basename(backupDir)}-ca.pem`) : undefined;
  if (caFile) writeFileSync(caFile, sim.tlsCaPem!);
  const entries: Record<string, InventoryEntry> = { ...options.extraDevices };
  for (const device of sim.devices) entries[device.name] = { address: device.address };
  // A plaintext simulator: the lab allows its credentials over it the way an operator would, worker-wide.
  const directory = new StaticDeviceDirectory(
    entries,
    caFile ? { transport: { mode: 'tls', caFile }, timeoutMs: options.timeoutMs ?? 5000 } : { transport: { mode: 'plaintext' }, allowPlaintextCredentials: true, timeoutMs: options.timeoutMs ?? 5000 },
  );
  const pool = new GnmiClientPool(options.credentials ?? (() => ({ ...LAB_CREDENTIALS })), { plaintextCredentialsSetting: PLAINTEXT_CREDENTIALS_SETTING });
  const backups = new GitBackupStore({ dir: backupDir, onWarning: () => undefined, ...(options.keyring ? { keyring: options.keyring } : {}) });
  const gnmi = options.gnmi ? options.gnmi(pool) : pool;
  const documents = new DocumentStore({ dir: path.join(backupDir, '..', `${path.basename(backupDir)}-documents`) });
  const activities = createDeviceActivities({
    gnmi,
    directory,
    backups,
    ...(options.documents === false ? {} : { documents }),
    settings: { heartbeatIntervalMs: HEARTBEAT_MS, resubscribeIntervalMs: 100 },
  });
  const admin = Object.fromEntries(
    LAB_DEVICES.map((name) => [
      name,
      new GnmiClient({ name, address: sim.address(name), transport: options.tls ? { mode: 'tls', caPem: sim.tlsCaPem! } : LAB_PLAINTEXT_TRANSPORT }, { ...LAB_CREDENTIALS }),
    ]),
  ) as Record<LabDevice, GnmiClient>;
  return {
    sim,
    backups,
    backupDir,
    ...(caFile ? { caFile } : {}),
    directory,
    documents,
    activities,
    admin,
    async stop() {
      for (const client of Object.values(admin)) client.close();
      pool.close();
      await sim.stop();
      rmSync(backupDir, { recursive: true, force: true });
      rmSync(documents.dir, { recursive: true, force: true });
      if (caFile) rmSync(caFile, { force: true });
    },
  };
}

/** The lab's rendered config for a device, as the infrahub-worker hands it to deployConfig. */
export function rendered(device: LabDevice, lab: Lab = referenceLab()): ManagedConfig {
  return renderConfig(deviceIntent(lab, device));
}

export function expected(device: LabDevice): ExpectedState {
  return expectedState(deviceIntent(referenceLab(), device));
}

/** Deploys a device's rendered config straight through gNMI (arranging a lab, not testing deploy). */
export async function arrangeDeployed(lab: TestLab, ...devices: LabDevice[]): Promise<void> {
  await Promise.all(devices.map((d) => lab.admin[d].set(deployOperations({ config: rendered(d) }))));
}

export interface ActivityRun<T> {
  result?: T;
  error?: unknown;
  heartbeats: unknown[];
  env: MockActivityEnvironment;
}

/** Runs one activity in a mock activity context, recording every heartbeat. */
export async function runActivity<A extends unknown[], T>(
  fn: (...args: A) => Promise<T>,
  args: A,
  info: Partial<Info> = {},
  during?: (env: MockActivityEnvironment) => void,
): Promise<ActivityRun<T>> {
  // Failures are what many tests expect; the SDK's warning per failed activity would bury the output.
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 20_000, ...info }, { logger: new DefaultLogger('ERROR') });
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  during?.(env);
  try {
    const result = (await env.run(fn, ...args)) as T;
    return { result, heartbeats, env };
  } catch (error) {
    return { error, heartbeats, env };
  }
}

/** The ApplicationFailure an activity failed with (what Temporal records and the retry policy reads). */
export function failureOf(run: ActivityRun<unknown>): ApplicationFailure {
  if (run.error === undefined) throw new Error(`expected the activity to fail; it returned ${JSON.stringify(run.result)}`);
  if (!(run.error instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(run.error)}`);
  return run.error;
}

export function resultOf<T>(run: ActivityRun<T>): T {
  if (run.error !== undefined) throw run.error;
  return run.result as T;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A `gnmi` option that records every Set the activities send (as the device receives it) into `sets`. */
export function recordingSets(sets: Parameters<GnmiClient['set']>[]): NonNullable<TestLabOptions['gnmi']> {
  return (pool) => (target) =>
    new Proxy(unclosable(pool.get(target)), {
      get(inner, property) {
        if (property !== 'set') return Reflect.get(inner, property);
        return (...args: Parameters<GnmiClient['set']>) => {
          sets.push(args);
          return (Reflect.get(inner, 'set') as GnmiClient['set'])(...args);
        };
      },
    });
}

/** A factory that hands out pooled clients but never closes them (the pool does, at the end). */
export function unclosable(client: GnmiClient): GnmiClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'close') return () => undefined;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export type { GnmiClientFactory };
