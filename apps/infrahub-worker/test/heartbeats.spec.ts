/**
 * Every infrahub-operations activity heartbeats at once and then every
 * interval for as long as Infrahub keeps it waiting (the simulator's latency
 * fault), so with the profile's heartbeat timeout a worker that dies
 * mid-call is noticed within seconds, while a live one waiting on a slow
 * Infrahub is never taken for dead.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { InfrahubActivities } from '@synapse/contracts';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim } from '@synapse/infrahub-sim';
import { referenceLab } from '@synapse/lab';
import { DocumentStore } from '@synapse/device-config';
import { createInfrahubActivities } from '../src';

const INTERVAL_MS = 50;
/** Per request: several intervals, so an activity that beat only once would show a long gap. */
const LATENCY_MS = 400;

describe('heartbeats while Infrahub is slow', () => {
  let sim: InfrahubSim;
  let infrahub: InfrahubClient;
  let documentDir: string;
  let documents: DocumentStore;

  beforeAll(async () => {
    documentDir = await fs.mkdtemp(path.join(os.tmpdir(), 'infrahub-worker-beats-'));
    documents = new DocumentStore({ dir: documentDir });
    sim = await startInfrahubSim({ lab: referenceLab(), port: 0 });
    infrahub = new InfrahubClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN, env: {}, retry: { maxAttempts: 1 } });
  });
  afterAll(async () => {
    infrahub?.close();
    await sim?.stop();
    await fs.rm(documentDir, { recursive: true, force: true });
  });
  afterEach(() => sim.faults.clear());

  const cases: { [K in keyof InfrahubActivities]: [K, Parameters<InfrahubActivities[K]>[0], Record<string, unknown>] }[keyof InfrahubActivities][] = [
    ['fetchDeviceConfig', { device: 'leaf01' }, { device: 'leaf01' }],
    ['renderDeviceIntent', { device: 'leaf01' }, { device: 'leaf01' }],
    ['updateDeviceStatus', { device: 'leaf02', state: 'deploying', changeId: 'chg-beat' }, { device: 'leaf02', changeId: 'chg-beat' }],
    ['listDevicesInScope', { scope: { kind: 'role', role: 'leaf' } }, { scope: 'role' }],
    ['renderIntents', { devices: ['spine01', 'leaf01'], concurrency: 1 }, { devices: 2 }],
  ];

  it.each(cases)('%s heartbeats at once and every interval until Infrahub answers', async (name, input, details) => {
    const env = new MockActivityEnvironment();
    const beats: { at: number; details: unknown }[] = [];
    env.on('heartbeat', (d: unknown) => beats.push({ at: Date.now(), details: d }));
    sim.faults.latency(LATENCY_MS);
    const activity = createInfrahubActivities({ infrahub, documents, settings: { heartbeatIntervalMs: INTERVAL_MS } })[name] as (arg: unknown) => Promise<unknown>;

    const started = Date.now();
    await env.run(activity, input);
    const ended = Date.now();

    expect(ended - started).toBeGreaterThanOrEqual(LATENCY_MS);
    // Before the first answer could arrive.
    expect(beats[0]!.at - started).toBeLessThan(LATENCY_MS / 2);
    // All along: never a silence near the latency, which one beat per request would leave.
    const times = [started, ...beats.map((b) => b.at), ended];
    const longestSilence = Math.max(...times.slice(1).map((t, i) => t - times[i]!));
    expect(longestSilence).toBeLessThan(LATENCY_MS * 0.75);
    expect(beats.length).toBeGreaterThanOrEqual(Math.floor((ended - started) / (INTERVAL_MS * 3)));
    expect(beats[0]!.details).toMatchObject(details);
  });

  it('renderIntents carries its progress in the beats', async () => {
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    sim.faults.latency(LATENCY_MS);
    const { renderIntents } = createInfrahubActivities({ infrahub, settings: { heartbeatIntervalMs: INTERVAL_MS } });
    await env.run(renderIntents, { devices: ['spine01', 'leaf01'], concurrency: 1 });
    expect(beats[0]).toEqual({ devices: 2, done: 0 });
    expect(beats).toContainEqual({ devices: 2, done: 1 });
  });
});
