/**
 * Rendered configs by reference, against the Infrahub simulator: the config
 * goes to the document store under its checksum and only the reference (and
 * what validation needs) is answered, so no config reaches workflow history.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { deviceFacts, expectationsOutsidePatch, validationExpectations, type DocumentRef, type FetchDeviceConfigResult, type InfrahubActivities, type RenderedIntent, type RenderIntentsResult } from '@synapse/contracts';
import { checksum, DocumentStore } from '@synapse/device-config';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim } from '@synapse/infrahub-sim';
import { referenceLab } from '@synapse/lab';
import { createEncryptionKeyring, isEncryptedAtRest } from '@synapse/temporal-connection';
import { createDocumentStore, createInfrahubActivities, type InfrahubActivityDeps } from '../src';

describe('rendered configs by reference', () => {
  let sim: InfrahubSim;
  let infrahub: InfrahubClient;
  let dir: string;
  let documents: DocumentStore;
  const env = new MockActivityEnvironment();

  beforeAll(async () => {
    sim = await startInfrahubSim({ lab: referenceLab(), port: 0 });
    infrahub = new InfrahubClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN, env: {}, retry: { maxAttempts: 1 } });
  });
  afterAll(async () => {
    infrahub?.close();
    await sim?.stop();
  });
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'infrahub-worker-documents-'));
    documents = new DocumentStore({ dir });
  });
  afterEach(async () => {
    sim.faults.clear();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function run<K extends keyof InfrahubActivities>(name: K, input: Parameters<InfrahubActivities[K]>[0], deps: Partial<InfrahubActivityDeps> = { documents }): ReturnType<InfrahubActivities[K]> {
    const activity = createInfrahubActivities({ infrahub, ...deps })[name] as (arg: typeof input) => ReturnType<InfrahubActivities[K]>;
    return env.run(activity, input) as ReturnType<InfrahubActivities[K]>;
  }
  const fileOf = (ref: DocumentRef) => path.join(dir, ref.sha256.slice(0, 2), `${ref.sha256}.json`);
  async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }

  it('renderDeviceIntent stores the config fetchDeviceConfig renders, under its checksum, and answers no config', async () => {
    const rendered: RenderedIntent = await run('renderDeviceIntent', { device: 'leaf01' });
    const fetched: FetchDeviceConfigResult = await run('fetchDeviceConfig', { device: 'leaf01' });

    const bytes = await fs.readFile(fileOf(rendered.config));
    expect(rendered.config.sizeBytes).toBe(bytes.length);
    expect(rendered.checksum).toBe(rendered.config.sha256);
    expect(rendered.checksum).toBe(fetched.checksum);
    // The store keeps the config exactly as rendered (module prefixes and identities as the device takes
    // them), named by the checksum of its canonical form.
    const content: unknown = JSON.parse(bytes.toString('utf8'));
    expect(content).toEqual(fetched.config);
    expect(bytes.toString('utf8')).toContain('srl_nokia-');
    expect(checksum(content)).toBe(rendered.config.sha256);
    expect(await documents.getConfig(rendered.config)).toEqual(content);

    expect(rendered).toMatchObject({ device: 'leaf01', scope: fetched.scope, source: { branch: 'main' } });
    expect(rendered.expectations).toEqual(validationExpectations(fetched.intent));
    expect(rendered.expectations.interfaces.map((i) => i.name)).toContain('ethernet-1/49');
    expect(rendered.facts).toEqual(deviceFacts(fetched.intent));
    // Neither the config nor the intent travels: no rendered path, no intent.
    const answer = JSON.stringify(rendered);
    expect(Object.keys(fetched.config).some((p) => p.startsWith('/interface['))).toBe(true);
    expect(answer).not.toContain('/interface[');
    expect(answer).not.toContain('/network-instance[');
    expect(rendered).not.toHaveProperty('intent');
  });

  it("renderDeviceIntent leaves an emergency patch's interface and its sessions out of the expectations", async () => {
    const patchPaths = ['/interface[name=ethernet-1/49]/mtu'];
    const patched = await run('renderDeviceIntent', { device: 'leaf01', patchPaths });
    const whole = await run('renderDeviceIntent', { device: 'leaf01' });
    const { intent } = await run('fetchDeviceConfig', { device: 'leaf01' });

    expect(patched.expectations).toEqual(expectationsOutsidePatch(intent, patchPaths));
    expect(patched.expectations.interfaces.map((i) => i.name)).not.toContain('ethernet-1/49');
    expect(whole.expectations.interfaces.map((i) => i.name)).toContain('ethernet-1/49');
    // The session over ethernet-1/49 (to spine01's 10.0.0.0) is patched too.
    expect(patched.expectations.neighbors.map((n) => n.peerAddress)).not.toContain('10.0.0.0');
    expect(whole.expectations.neighbors.map((n) => n.peerAddress)).toContain('10.0.0.0');
    // The patch changes what is expected, not what is rendered.
    expect(patched.config).toEqual(whole.config);
  });

  it('renderIntents byReference answers configRef instead of the config, with the same scope, role, checksum and facts', async () => {
    const inline: RenderIntentsResult = await run('renderIntents', { devices: ['spine01', 'nosuch01', 'leaf02'], concurrency: 2 });
    const byRef: RenderIntentsResult = await run('renderIntents', { devices: ['spine01', 'nosuch01', 'leaf02'], concurrency: 2, byReference: true });

    expect(byRef.devices.map((d) => d.device)).toEqual(['spine01', 'nosuch01', 'leaf02']);
    expect(byRef.devices[1]).toEqual(inline.devices[1]);
    for (const i of [0, 2]) {
      const entry = byRef.devices[i]!;
      const { config, ...rest } = inline.devices[i] as Extract<RenderIntentsResult['devices'][number], { scope: unknown }>;
      if (!('configRef' in entry) || !entry.configRef) throw new Error(`no configRef: ${JSON.stringify(entry)}`);
      expect(entry).not.toHaveProperty('config');
      expect(entry).toEqual({ ...rest, configRef: entry.configRef });
      expect(entry.configRef.sha256).toBe(entry.checksum);
      expect(await documents.getConfig(entry.configRef)).toEqual(config);
    }
    expect(JSON.stringify(byRef)).not.toContain('/interface[');
  });

  it('without a document store, fails by reference at once, non-retryable, naming SYNAPSE_DOCUMENT_DIR; inline answers are unaffected', async () => {
    const noStore = {};
    // Infrahub failing would fail differently: the store is checked before it is read.
    sim.faults.failNext(10, 503);
    const single = await failureOf(run('renderDeviceIntent', { device: 'leaf01' }, noStore));
    const batch = await failureOf(run('renderIntents', { devices: ['leaf01'], concurrency: 1, byReference: true }, noStore));
    for (const failure of [single, batch]) {
      expect(failure.type).toBe('InvalidInput');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain('SYNAPSE_DOCUMENT_DIR');
    }
    sim.faults.clear();
    const inline = await run('renderIntents', { devices: ['leaf01'], concurrency: 1 }, noStore);
    expect(inline.devices[0]).toHaveProperty('config');
  });

  it('refuses a malformed input, naming the field', async () => {
    const failure = await failureOf(run('renderDeviceIntent', { device: 'leaf01', patchPaths: ['interface[name=x]'] }));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toMatch(/patchPaths/);
  });

  it('with the payload keys, stores the config encrypted: the file holds no plaintext, the reference still names the plaintext', async () => {
    const sealed = createDocumentStore(dir, createEncryptionKeyring({ 'k-test': randomBytes(32) }));
    const rendered = await run('renderDeviceIntent', { device: 'leaf01' }, { documents: sealed });
    const fetched = await run('fetchDeviceConfig', { device: 'leaf01' });

    const stored = await fs.readFile(fileOf(rendered.config));
    expect(isEncryptedAtRest(stored)).toBe(true);
    const text = stored.toString('utf8');
    // Strings the plain document holds (see the first test): paths, a port, the router id.
    const plainText = JSON.stringify(fetched.config);
    for (const plain of ['/interface[name=', 'ethernet-1/49', 'router-id', '10.1.0.2']) {
      expect(plainText).toContain(plain);
      expect(text).not.toContain(plain);
    }
    expect(createHash('sha256').update(stored).digest('hex')).not.toBe(rendered.config.sha256);
    expect(rendered.checksum).toBe(fetched.checksum);
    expect(await sealed.getConfig(rendered.config)).toEqual(fetched.config);
    // A store without the keys cannot read it.
    await expect(new DocumentStore({ dir }).getConfig(rendered.config)).rejects.toThrow();
  });
});
