/**
 * The infrahub-operations activities, run in Temporal's activity test
 * environment against the Infrahub simulator over real HTTP. The invariant
 * that matters: what the worker fetches from Infrahub is exactly the intent
 * the lab describes, rendered.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import type { ChangeRecord, DeviceIntent, InfrahubActivities } from '@synapse/contracts';
import { checksum, ownershipScope, renderConfig } from '@synapse/device-config';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim } from '@synapse/infrahub-sim';
import { brownfieldLab, deviceIntent, LEGACY_IMPORT_POLICY, referenceLab, UNDERLAY_PEER_GROUP } from '@synapse/lab';
import { createInfrahubActivities } from '../src';

/** Infrahub returns lists in its own order; the intent means the same whatever the order. */
function sortedIntent(intent: DeviceIntent): DeviceIntent {
  const byName = <T extends { name: string }>(items: T[]) => [...items].sort((a, b) => a.name.localeCompare(b.name));
  return {
    ...intent,
    interfaces: byName(intent.interfaces),
    routingPolicies: byName(intent.routingPolicies),
    prefixSets: byName(intent.prefixSets),
    bgp: intent.bgp && {
      ...intent.bgp,
      groups: byName(intent.bgp.groups),
      neighbors: [...intent.bgp.neighbors].sort((a, b) => a.peerAddress.localeCompare(b.peerAddress)),
    },
  };
}

describe('infrahub-operations activities', () => {
  let sim: InfrahubSim;
  let infrahub: InfrahubClient;
  const env = new MockActivityEnvironment();

  beforeAll(async () => {
    sim = await startInfrahubSim({ lab: referenceLab(), port: 0 });
    infrahub = new InfrahubClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 }, env: {} });
  });
  afterAll(async () => {
    infrahub?.close();
    await sim?.stop();
  });
  afterEach(() => sim.faults.clear());

  const activities = () => createInfrahubActivities({ infrahub });
  /** Runs one activity in the mock activity context, typed by the contracts' interface. */
  function run<K extends keyof InfrahubActivities>(name: K, input: Parameters<InfrahubActivities[K]>[0]): ReturnType<InfrahubActivities[K]> {
    const activity = activities()[name] as (arg: typeof input) => ReturnType<InfrahubActivities[K]>;
    return env.run(activity, input) as ReturnType<InfrahubActivities[K]>;
  }

  async function graphql(branch: string | undefined, query: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${sim.address}/graphql${branch === undefined ? '' : `/${encodeURIComponent(branch)}`}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-INFRAHUB-KEY': DEFAULT_LAB_API_TOKEN },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data!;
  }

  async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    try {
      await promise;
    } catch (err) {
      expect(err).toBeInstanceOf(ApplicationFailure);
      return err as ApplicationFailure;
    }
    throw new Error('expected the activity to fail');
  }

  it.each(['spine01', 'leaf01', 'leaf02'])('fetchDeviceConfig(%s) returns the lab intent, rendered, with its checksum, scope and source', async (device) => {
    const before = Date.now();
    const result = await run('fetchDeviceConfig', { device });
    const expectedIntent = deviceIntent(referenceLab(), device);
    expect(sortedIntent(result.intent)).toEqual(sortedIntent(expectedIntent));
    // Same intent, same rendered config: the checksum is over the canonical form, so list order cannot matter.
    expect(result.checksum).toBe(checksum(renderConfig(expectedIntent)));
    expect(result.checksum).toBe(checksum(result.config));
    expect(Object.keys(result.config)).toEqual(expect.arrayContaining(['/network-instance[name=default]', '/interface[name=system0]']));
    // Greenfield: Infrahub defines every policy it names, and no port is management.
    expect(result.scope).toEqual({ protectedInterfaces: [], requiredPolicies: [] });
    expect(result.source.branch).toBe('main');
    expect(Date.parse(result.source.readAt)).toBeGreaterThanOrEqual(before - 1);
  });

  it('fetchDeviceConfig on the brownfield lab scopes out the management port and requires the policy only the device defines', async () => {
    const lab = brownfieldLab(referenceLab());
    const brownfield = await startInfrahubSim({ lab, port: 0 });
    const client = new InfrahubClient({ address: brownfield.address, apiToken: DEFAULT_LAB_API_TOKEN, env: {} });
    try {
      const result = (await env.run(createInfrahubActivities({ infrahub: client }).fetchDeviceConfig, { device: 'leaf01' })) as Awaited<ReturnType<InfrahubActivities['fetchDeviceConfig']>>;
      const expectedIntent = deviceIntent(lab, 'leaf01');
      expect(sortedIntent(result.intent)).toEqual(sortedIntent(expectedIntent));
      expect(result.scope).toEqual(ownershipScope(expectedIntent));
      expect(result.scope).toEqual({
        protectedInterfaces: [lab.devices.find((d) => d.name === 'leaf01')!.inbandManagement!.interface],
        requiredPolicies: [{ group: UNDERLAY_PEER_GROUP, direction: 'import', policy: LEGACY_IMPORT_POLICY }],
      });
      expect(result.checksum).toBe(checksum(renderConfig(expectedIntent)));
    } finally {
      client.close();
      await brownfield.stop();
    }
  });

  it('reads the intent from a branch when asked', async () => {
    await infrahub.createBranch('change-mtu', { description: 'fetchDeviceConfig branch test' });
    // An engineer lowers one uplink's MTU on the branch only.
    const found = await graphql('change-mtu', 'query { InterfacePhysical(name__value: "ethernet-1/49", device__name__value: "leaf01") { edges { node { id } } } }');
    const interfaceId = (found.InterfacePhysical as { edges: { node: { id: string } }[] }).edges[0].node.id;
    await graphql('change-mtu', `mutation { InterfacePhysicalUpdate(data: {id: "${interfaceId}", mtu: {value: 9000}}) { ok } }`);

    const onBranch = await run('fetchDeviceConfig', { device: 'leaf01', branch: 'change-mtu' });
    const onMain = await run('fetchDeviceConfig', { device: 'leaf01' });
    expect(onBranch.intent.interfaces.find((i) => i.name === 'ethernet-1/49')?.mtu).toBe(9000);
    expect([onBranch.source.branch, onMain.source.branch]).toEqual(['change-mtu', 'main']);
    expect(onMain.checksum).toBe(checksum(renderConfig(deviceIntent(referenceLab(), 'leaf01'))));
    expect(onBranch.checksum).not.toBe(onMain.checksum);
    const missing = await failureOf(run('fetchDeviceConfig', { device: 'leaf01', branch: 'no-such-branch' }));
    expect(missing.type).toBe('BranchNotFound');
    expect(missing.nonRetryable).toBe(true);
  });

  it('fails an unknown device with a non-retryable IntentNotFound naming it', async () => {
    const failure = await failureOf(run('fetchDeviceConfig', { device: 'leaf99' }));
    expect(failure.type).toBe('IntentNotFound');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('leaf99');
  });

  it('refuses a malformed input, naming the field, before calling Infrahub', async () => {
    const failure = await failureOf(run('fetchDeviceConfig', { device: 'bad name!' }));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/device/);
  });

  it('reports Infrahub trouble as a retryable InfrahubUnavailable', async () => {
    sim.faults.failNext(10, 503);
    const failure = await failureOf(run('fetchDeviceConfig', { device: 'leaf01' }));
    expect(failure.type).toBe('InfrahubUnavailable');
    expect(failure.nonRetryable).toBe(false);
  });

  it('updateDeviceStatus records the deployment and one change record, even when retried', async () => {
    const now = new Date().toISOString();
    const fetched = await run('fetchDeviceConfig', { device: 'spine01' });
    const record: ChangeRecord = {
      changeId: 'chg-100',
      kind: 'standard',
      device: 'spine01',
      requester: 'noc-engineer',
      reason: 'bring up the underlay',
      ticket: 'NET-42',
      outcome: 'deployed',
      diffSummary: '0 changed, 12 added, 0 removed',
      startedAt: now,
      finishedAt: now,
    };
    const input = { device: 'spine01', state: 'deployed', changeId: 'chg-100', configChecksum: fetched.checksum, record } as const;
    const first = await run('updateDeviceStatus', input);
    const retried = await run('updateDeviceStatus', input);
    expect(first.state).toBe('deployed');
    expect(first.changeRecordId).toBeDefined();
    expect(retried.changeRecordId).toBe(first.changeRecordId);

    const device = await infrahub.getDevice('spine01');
    expect(device.deployment).toMatchObject({ state: 'deployed', lastChangeId: 'chg-100', lastConfigChecksum: fetched.checksum });
    expect(await infrahub.findChangeRecord('chg-100', 'spine01')).toBe(first.changeRecordId);
  });

  it('records a deploy of a branch intent on the default branch, readable after the branch is deleted and naming it', async () => {
    await infrahub.createBranch('change-audit', { description: 'deployed, then deleted' });
    const fetched = await run('fetchDeviceConfig', { device: 'leaf02', branch: 'change-audit' });
    const finishedAt = new Date().toISOString();
    const record: ChangeRecord = {
      changeId: 'chg-audit',
      kind: 'standard',
      device: 'leaf02',
      requester: 'noc-engineer',
      reason: 'reviewed on a branch',
      outcome: 'deployed',
      diffSummary: '0 changed, 12 added, 0 removed',
      intent: fetched.source,
      startedAt: fetched.source.readAt,
      finishedAt,
    };
    const recorded = await run('updateDeviceStatus', { device: 'leaf02', state: 'deployed', changeId: 'chg-audit', configChecksum: fetched.checksum, record });

    await graphql(undefined, 'mutation { BranchDelete(data: {name: "change-audit"}) { ok } }');
    expect(sim.branches().map((b) => b.name)).not.toContain('change-audit');
    const onMain = await graphql(
      undefined,
      `query { DcimDevice(name__value: "leaf02") { edges { node {
          deployment_state { value } last_change_id { value } last_config_checksum { value }
          change_records(change_id__value: "chg-audit") { edges { node { id outcome { value } intent_branch { value } intent_read_at { value } } } } } } } }`,
    );
    const leaf02 = (onMain.DcimDevice as { edges: { node: Record<string, any> }[] }).edges[0].node;
    expect(leaf02).toMatchObject({ deployment_state: { value: 'deployed' }, last_change_id: { value: 'chg-audit' }, last_config_checksum: { value: fetched.checksum } });
    expect(leaf02.change_records.edges).toEqual([
      { node: { id: recorded.changeRecordId, outcome: { value: 'deployed' }, intent_branch: { value: 'change-audit' }, intent_read_at: { value: fetched.source.readAt } } },
    ]);
  });

  it('updateDeviceStatus with onlyIfCurrent leaves the state of a change that took the device since, and says so', async () => {
    await run('updateDeviceStatus', { device: 'leaf01', state: 'deploying', changeId: 'chg-late' });
    await run('updateDeviceStatus', { device: 'leaf01', state: 'needs-reconciliation', changeId: 'chg-emergency' });
    const late = await run('updateDeviceStatus', { device: 'leaf01', state: 'deployed', changeId: 'chg-late', onlyIfCurrent: true });
    expect(late).toEqual({ device: 'leaf01', state: 'deployed', stateWritten: false });
    expect((await infrahub.getDevice('leaf01')).deployment).toMatchObject({ state: 'needs-reconciliation', lastChangeId: 'chg-emergency' });
    const current = await run('updateDeviceStatus', { device: 'leaf01', state: 'deployed', changeId: 'chg-emergency', onlyIfCurrent: true });
    expect(current).toEqual({ device: 'leaf01', state: 'deployed', stateWritten: true });
    expect((await infrahub.getDevice('leaf01')).deployment).toMatchObject({ state: 'deployed', lastChangeId: 'chg-emergency' });
  });

  it('refuses a deployment state outside the schema, naming the field', async () => {
    const failure = await failureOf(run('updateDeviceStatus', { device: 'leaf02', state: 'half-done' as never, changeId: 'chg-101' }));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toMatch(/state/);
  });
});
