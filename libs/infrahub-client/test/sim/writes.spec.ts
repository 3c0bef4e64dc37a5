import type { ChangeRecord } from '@synapse/contracts';
import type { InfrahubSim } from '@synapse/infrahub-sim';
import { InfrahubClient } from '../../src/index';
import { failure, testClient } from '../helpers';
import { changeRecordCount, DEFAULT_LAB_API_TOKEN, rawGraphql, startSim, startSpoilingProxy, type SpoilingProxy } from './sim-helpers';

/**
 * Writing back to the source of truth: deployment state, change records, the
 * updateDeviceStatus activity's retry safety, and audit data that stays on
 * the default branch whatever branch the intent was read from.
 */

const CHECKSUM = 'a'.repeat(64);
const BACKUP_SHA = 'b'.repeat(64);

function record(changeId: string, device: string, overrides: Partial<ChangeRecord> = {}): ChangeRecord {
  return {
    changeId,
    kind: 'standard',
    device,
    requester: 'alice@example.net',
    reason: 'raise MTU on uplinks',
    ticket: 'CHG-1042',
    outcome: 'deployed',
    diffSummary: '0 added, 2 changed, 0 removed: /interface[name=ethernet-1/49]/mtu, …',
    backup: { device, id: '3f2a9c1', sha256: BACKUP_SHA, sizeBytes: 48_213, takenAt: '2026-11-28T10:00:05Z' },
    workflowId: `device/${device}`,
    intent: { branch: 'change-42', readAt: '2026-11-28T09:59:58Z' },
    startedAt: '2026-11-28T10:00:00Z',
    finishedAt: '2026-11-28T10:02:30Z',
    ...overrides,
  };
}

async function recordFields(sim: InfrahubSim, id: string, branch?: string) {
  const data = await rawGraphql<{ SynapseChangeRecord: { edges: { node: Record<string, { value?: unknown; node?: { name: { value: string } } }> }[] } }>(
    sim,
    `query ($id: ID!) { SynapseChangeRecord(ids: [$id]) { edges { node {
        change_id { value } change_kind { value } requester { value } reason { value } ticket { value } outcome { value }
        diff_summary { value } backup_id { value } backup_sha256 { value } backup_size_bytes { value } backup_taken_at { value }
        detail { value } workflow_id { value } intent_branch { value } intent_read_at { value } started_at { value } finished_at { value } device { node { name { value } } } } } } }`,
    { id },
    branch,
  );
  const node = data.SynapseChangeRecord.edges[0]?.node;
  if (!node) throw new Error(`no change record ${id}`);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'device' ? v.node?.name.value : v.value]));
}

describe('writing to the simulator', () => {
  let sim: InfrahubSim;
  let client: InfrahubClient;
  beforeAll(async () => {
    sim = await startSim();
    client = testClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN });
  });
  afterAll(async () => {
    client.close();
    await sim.stop();
  });

  it('sets the deployment state, change id, checksum and deploy time of a device', async () => {
    await expect(
      client.setDeploymentState({ device: 'leaf01', state: 'deployed', changeId: 'chg-100', configChecksum: CHECKSUM, deployedAt: '2026-11-28T10:02:30Z' }),
    ).resolves.toMatchObject({ device: 'leaf01', state: 'deployed' });
    const device = await client.getDevice('leaf01');
    expect(device.deployment).toEqual({ state: 'deployed', lastChangeId: 'chg-100', lastConfigChecksum: CHECKSUM, lastDeployedAt: expect.stringMatching(/^2026-11-28T10:02:30/) });
    // A later state without checksum keeps the last deployed config's checksum.
    await client.setDeploymentState({ device: 'leaf01', state: 'drifted', changeId: 'chg-101' });
    expect((await client.getDevice('leaf01')).deployment).toMatchObject({ state: 'drifted', lastChangeId: 'chg-101', lastConfigChecksum: CHECKSUM });
    // Other devices untouched.
    expect((await client.getDevice('leaf02')).deployment).toEqual({ state: 'pending' });
  });

  it('refuses the state of an unknown device as IntentNotFound', async () => {
    const err = await failure(client.setDeploymentState({ device: 'leaf77', state: 'deployed', changeId: 'chg-1' }));
    expect(err.type).toBe('IntentNotFound');
    expect(err.message).toContain('"leaf77"');
  });

  it('creates a change record holding every field of the contract', async () => {
    const id = await client.createChangeRecord(record('chg-200', 'spine01'));
    expect(id).toMatch(/\S/);
    expect(await recordFields(sim, id)).toMatchObject({
      change_id: 'chg-200',
      change_kind: 'standard',
      requester: 'alice@example.net',
      reason: 'raise MTU on uplinks',
      ticket: 'CHG-1042',
      outcome: 'deployed',
      backup_id: '3f2a9c1',
      backup_sha256: BACKUP_SHA,
      backup_size_bytes: 48_213,
      backup_taken_at: expect.stringMatching(/^2026-11-28T10:00:05/),
      workflow_id: 'device/spine01',
      intent_branch: 'change-42',
      intent_read_at: expect.stringMatching(/^2026-11-28T09:59:58/),
      started_at: expect.stringMatching(/^2026-11-28T10:00:00/),
      finished_at: expect.stringMatching(/^2026-11-28T10:02:30/),
      device: 'spine01',
    });
    await expect(client.findChangeRecord('chg-200', 'spine01')).resolves.toBe(id);
    await expect(client.findChangeRecord('chg-200', 'leaf01')).resolves.toBeUndefined();
  });

  it('reports a second record of the same change and device as the GraphQL error Infrahub returns', async () => {
    await client.createChangeRecord(record('chg-300', 'leaf02'));
    const err = await failure(client.createChangeRecord(record('chg-300', 'leaf02', { outcome: 'failed' })));
    expect(err.type).toBe('InfrahubQueryFailed');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/GraphQL errors: .*uniqueness constraint/i);
    expect(err.message).toContain('query CreateChangeRecord');
    expect(await changeRecordCount(sim, 'chg-300', 'leaf02')).toBe(1);
  });

  it('records a deployment once however often the activity runs', async () => {
    const input = { device: 'spine01', state: 'deployed' as const, changeId: 'chg-400', configChecksum: CHECKSUM, record: record('chg-400', 'spine01') };
    const first = await client.recordDeployment(input);
    const second = await client.recordDeployment(input);
    expect(first).toEqual({ device: 'spine01', state: 'deployed', changeRecordId: expect.any(String), stateWritten: true });
    expect(second.changeRecordId).toBe(first.changeRecordId);
    expect(await changeRecordCount(sim, 'chg-400', 'spine01')).toBe(1);
    expect((await client.getDevice('spine01')).deployment).toEqual({
      state: 'deployed',
      lastChangeId: 'chg-400',
      lastConfigChecksum: CHECKSUM,
      lastDeployedAt: expect.stringMatching(/^2026-11-28T10:02:30/),
    });
  });

  it('brings an existing record up to date when the same change records a later outcome', async () => {
    // An emergency records `deployed`, then `reverted` once its time to live has run out.
    const deployed = record('chg-450', 'leaf01', { kind: 'emergency', outcome: 'deployed', detail: 'emergency applied' });
    const first = await client.recordDeployment({ device: 'leaf01', state: 'needs-reconciliation', changeId: 'chg-450', record: deployed });
    const reverted = { ...deployed, outcome: 'reverted' as const, detail: 'time to live ran out: reverted', finishedAt: '2026-11-28T11:00:00Z' };
    const second = await client.recordDeployment({ device: 'leaf01', state: 'needs-reconciliation', changeId: 'chg-450', record: reverted });

    expect(second.changeRecordId).toBe(first.changeRecordId);
    expect(await changeRecordCount(sim, 'chg-450', 'leaf01')).toBe(1);
    const data = await rawGraphql<{ SynapseChangeRecord: { edges: unknown[] } }>(
      sim,
      'query { SynapseChangeRecord(change_id__value: "chg-450") { edges { node { outcome { value } detail { value } finished_at { value } change_kind { value } } } } }',
    );
    expect(data.SynapseChangeRecord.edges).toEqual([
      { node: { outcome: { value: 'reverted' }, detail: { value: 'time to live ran out: reverted' }, finished_at: { value: expect.stringMatching(/^2026-11-28T11:00:00/) }, change_kind: { value: 'emergency' } } },
    ]);
  });

  it('records a state without a change record when none is given', async () => {
    await expect(client.recordDeployment({ device: 'leaf02', state: 'deploying', changeId: 'chg-500' })).resolves.toEqual({ device: 'leaf02', state: 'deploying', stateWritten: true });
    expect((await client.getDevice('leaf02')).deployment).toMatchObject({ state: 'deploying', lastChangeId: 'chg-500' });
  });

  describe('onlyIfCurrent', () => {
    const deployment = async (device: string) => (await client.getDevice(device)).deployment;

    it("writes the state while the device's last change is this one", async () => {
      await client.recordDeployment({ device: 'leaf02', state: 'deploying', changeId: 'chg-800' });
      const result = await client.recordDeployment({ device: 'leaf02', state: 'deployed', changeId: 'chg-800', configChecksum: CHECKSUM, record: record('chg-800', 'leaf02'), onlyIfCurrent: true });
      expect(result).toEqual({ device: 'leaf02', state: 'deployed', changeRecordId: expect.any(String), stateWritten: true });
      expect(await deployment('leaf02')).toEqual({ state: 'deployed', lastChangeId: 'chg-800', lastConfigChecksum: CHECKSUM, lastDeployedAt: expect.stringMatching(/^2026-11-28T10:02:30/) });
    });

    it('leaves the state of the change that took the device since, and still writes the late change record', async () => {
      await client.recordDeployment({ device: 'spine01', state: 'deploying', changeId: 'chg-810' });
      // An emergency takes the device while chg-810 is still finishing.
      const emergencyChecksum = 'c'.repeat(64);
      await client.recordDeployment({ device: 'spine01', state: 'needs-reconciliation', changeId: 'chg-811', configChecksum: emergencyChecksum });
      const before = await deployment('spine01');

      const late = record('chg-810', 'spine01', { outcome: 'rolled-back', detail: 'pre-empted by chg-811' });
      const result = await client.recordDeployment({ device: 'spine01', state: 'rolled-back', changeId: 'chg-810', configChecksum: CHECKSUM, record: late, onlyIfCurrent: true });
      expect(result).toEqual({ device: 'spine01', state: 'rolled-back', changeRecordId: expect.any(String), stateWritten: false });
      expect(await deployment('spine01')).toEqual(before);
      expect(before).toMatchObject({ state: 'needs-reconciliation', lastChangeId: 'chg-811', lastConfigChecksum: emergencyChecksum });
      expect(await recordFields(sim, result.changeRecordId!)).toMatchObject({ change_id: 'chg-810', outcome: 'rolled-back', detail: 'pre-empted by chg-811' });
      // A retry of the same late outcome neither writes the state nor adds a record.
      const retried = await client.recordDeployment({ device: 'spine01', state: 'rolled-back', changeId: 'chg-810', record: late, onlyIfCurrent: true });
      expect(retried).toEqual({ ...result, stateWritten: false });
      expect(await changeRecordCount(sim, 'chg-810', 'spine01')).toBe(1);
    });

    it('writes nothing to a device no change has recorded yet', async () => {
      const fresh = await startSim();
      const other = testClient({ address: fresh.address, apiToken: DEFAULT_LAB_API_TOKEN });
      try {
        const result = await other.recordDeployment({ device: 'leaf01', state: 'deployed', changeId: 'chg-820', onlyIfCurrent: true });
        expect(result).toEqual({ device: 'leaf01', state: 'deployed', stateWritten: false });
        expect((await other.getDevice('leaf01')).deployment).toEqual({ state: 'pending' });
      } finally {
        other.close();
        await fresh.stop();
      }
    });
  });

  it('refuses a record that belongs to another device or change', async () => {
    const err = await failure(client.recordDeployment({ device: 'leaf01', state: 'failed', changeId: 'chg-600', record: record('chg-600', 'leaf02', { outcome: 'failed' }) }));
    expect(err.type).toBe('InvalidInput');
    expect(err.message).toMatch(/record is for leaf02 change chg-600/);
  });
});

describe('answers lost after Infrahub acted (spoiling proxy in front of the simulator)', () => {
  let sim: InfrahubSim;
  let proxy: SpoilingProxy;
  let client: InfrahubClient;
  beforeAll(async () => {
    sim = await startSim();
    proxy = await startSpoilingProxy(sim.address);
    client = testClient({ address: proxy.address, apiToken: DEFAULT_LAB_API_TOKEN });
  });
  afterAll(async () => {
    client.close();
    await proxy.stop();
    await sim.stop();
  });

  it('looks before it creates: a repeated run sends no second create at all', async () => {
    const input = { device: 'leaf02', state: 'deployed' as const, changeId: 'chg-699', record: record('chg-699', 'leaf02') };
    const first = await client.recordDeployment(input);
    const second = await client.recordDeployment(input);
    expect(second.changeRecordId).toBe(first.changeRecordId);
    // Not relying on the server's uniqueness constraint to refuse a duplicate.
    expect(proxy.seen.filter((b) => b.includes('CreateChangeRecord') && b.includes('chg-699'))).toHaveLength(1);
  });

  it('does not create a second record when the create answer came back as a 502', async () => {
    proxy.spoil({ when: (body) => body.includes('CreateChangeRecord'), times: 1, how: '502' });
    const result = await client.recordDeployment({ device: 'leaf01', state: 'rolled-back', changeId: 'chg-700', record: record('chg-700', 'leaf01', { outcome: 'rolled-back', detail: 'BGP did not settle' }) });
    expect(result.changeRecordId).toBeDefined();
    expect(await changeRecordCount(sim, 'chg-700', 'leaf01')).toBe(1);
    // The create went out once: the second round found the record instead.
    expect(proxy.seen.filter((b) => b.includes('CreateChangeRecord') && b.includes('chg-700'))).toHaveLength(1);
    await expect(client.findChangeRecord('chg-700', 'leaf01')).resolves.toBe(result.changeRecordId);
  });

  it('does not create a second record when the create answer was cut off mid-JSON', async () => {
    proxy.spoil({ when: (body) => body.includes('CreateChangeRecord'), times: 1, how: 'truncate' });
    const result = await client.recordDeployment({ device: 'leaf02', state: 'deployed', changeId: 'chg-701', record: record('chg-701', 'leaf02') });
    expect(await changeRecordCount(sim, 'chg-701', 'leaf02')).toBe(1);
    await expect(client.findChangeRecord('chg-701', 'leaf02')).resolves.toBe(result.changeRecordId);
  });

  it('lets a bare createChangeRecord fail as retryable with outcome unknown instead of guessing', async () => {
    proxy.spoil({ when: (body) => body.includes('CreateChangeRecord'), times: 1, how: 'truncate' });
    const err = await failure(client.createChangeRecord(record('chg-702', 'spine01')));
    expect(err.type).toBe('InfrahubUnavailable');
    expect(err.details).toMatchObject({ outcome: 'unknown' });
    expect(err.message).toMatch(/not valid JSON.*not repeated/);
    // It did land; recordDeployment on retry adopts it.
    expect(await changeRecordCount(sim, 'chg-702', 'spine01')).toBe(1);
    const retried = await client.recordDeployment({ device: 'spine01', state: 'deployed', changeId: 'chg-702', record: record('chg-702', 'spine01') });
    expect(retried.changeRecordId).toBeDefined();
    expect(await changeRecordCount(sim, 'chg-702', 'spine01')).toBe(1);
  });

  it('repeats an idempotent state update whose answer was lost', async () => {
    proxy.spoil({ when: (body) => body.includes('SetDeploymentState'), times: 1, how: '502' });
    await client.setDeploymentState({ device: 'leaf01', state: 'in-sync', changeId: 'chg-703' });
    expect(proxy.seen.filter((b) => b.includes('SetDeploymentState') && b.includes('chg-703'))).toHaveLength(2);
    expect((await client.getDevice('leaf01')).deployment).toMatchObject({ state: 'in-sync', lastChangeId: 'chg-703' });
  });
});

describe('audit data on the default branch, intent from any branch', () => {
  let sim: InfrahubSim;
  let client: InfrahubClient;
  beforeAll(async () => {
    sim = await startSim();
    client = testClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN });
  });
  afterAll(async () => {
    client.close();
    await sim.stop();
  });

  it('creates a branch once, and again only when told existing is fine', async () => {
    await expect(client.branchExists('change-42')).resolves.toBe(false);
    await expect(client.createBranch('change-42', { description: 'MTU change' })).resolves.toMatchObject({ name: 'change-42', created: true });
    await expect(client.branchExists('change-42')).resolves.toBe(true);
    expect(sim.branches().find((b) => b.name === 'change-42')).toMatchObject({ description: 'MTU change', sync_with_git: false });
    const again = await failure(client.createBranch('change-42'));
    expect(again.type).toBe('InfrahubQueryFailed');
    expect(again.details).toMatchObject({ reason: 'branch-exists' });
    await expect(client.createBranch('change-42', { existOk: true })).resolves.toEqual({ name: 'change-42', created: false });
  });

  it('records a deploy of a branch intent on the default branch, where it outlives the deleted branch', async () => {
    await client.createBranch('iso-1');
    const { source } = await client.getDeviceIntent('leaf01', { branch: 'iso-1' });
    expect(source).toEqual({ branch: 'iso-1', readAt: expect.any(String) });
    const result = await client.recordDeployment({
      device: 'leaf01',
      state: 'deployed',
      changeId: 'chg-800',
      configChecksum: CHECKSUM,
      record: record('chg-800', 'leaf01', { intent: source }),
    });

    await rawGraphql(sim, 'mutation { BranchDelete(data: {name: "iso-1"}) { ok } }');
    expect(sim.branches().map((b) => b.name)).not.toContain('iso-1');
    expect((await client.getDevice('leaf01')).deployment).toMatchObject({ state: 'deployed', lastChangeId: 'chg-800', lastConfigChecksum: CHECKSUM });
    await expect(client.findChangeRecord('chg-800', 'leaf01')).resolves.toBe(result.changeRecordId);
    expect(await recordFields(sim, result.changeRecordId!)).toMatchObject({ device: 'leaf01', outcome: 'deployed', intent_branch: 'iso-1', intent_read_at: source.readAt });
  });

  it('sends every audit write to the default endpoint, never to the branch the intent came from', async () => {
    const proxy = await startSpoilingProxy(sim.address);
    const viaProxy = testClient({ address: proxy.address, apiToken: DEFAULT_LAB_API_TOKEN });
    try {
      await client.createBranch('iso-2');
      const { source } = await viaProxy.getDeviceIntent('leaf02', { branch: 'iso-2' });
      await viaProxy.recordDeployment({ device: 'leaf02', state: 'rolled-back', changeId: 'chg-801', record: record('chg-801', 'leaf02', { outcome: 'rolled-back', intent: source }) });
      const audit = proxy.seen.filter((body) => /DeviceId|FindChangeRecord|CreateChangeRecord|SetDeploymentState/.test(body));
      expect(audit.length).toBeGreaterThanOrEqual(4);
      expect(proxy.paths.filter((_, i) => /DeviceId|FindChangeRecord|CreateChangeRecord|SetDeploymentState/.test(proxy.seen[i]!))).toEqual(audit.map(() => '/graphql'));
      expect(proxy.paths.filter((_, i) => proxy.seen[i]!.includes('DeviceDetail'))).toEqual(['/graphql/iso-2']);
    } finally {
      viaProxy.close();
      await proxy.stop();
    }
    // Shared with the branch too: audit data is branch-agnostic.
    expect((await client.getDevice('leaf02', { branch: 'iso-2' })).deployment.state).toBe('rolled-back');
  });

  it('reads a branch named with a slash through its encoded endpoint and names it in the source', async () => {
    await client.createBranch('feature/uplinks');
    const { intent, source } = await client.getDeviceIntent('spine01', { branch: 'feature/uplinks' });
    expect([intent.name, source.branch]).toEqual(['spine01', 'feature/uplinks']);
  });

  it('names the default branch in the source when the caller names none', async () => {
    await expect(client.getDeviceIntent('spine01')).resolves.toMatchObject({ source: { branch: 'main' } });
  });

  it('refuses to read from a branch that does not exist', async () => {
    const err = await failure(client.getDeviceIntent('leaf01', { branch: 'gone' }));
    expect(err.type).toBe('BranchNotFound');
    expect(err.message).toContain('branch "gone" does not exist');
  });

  it('cannot record a device that exists only on a branch, and says why', async () => {
    await client.createBranch('new-leaf');
    await rawGraphql(sim, 'mutation { DcimDeviceCreate(data: {name: {value: "leaf03"}, status: {value: "provisioning"}, role: {value: "leaf"}}) { ok } }', {}, 'new-leaf');
    const err = await failure(client.recordDeployment({ device: 'leaf03', state: 'deploying', changeId: 'chg-802' }));
    expect(err.type).toBe('IntentNotFound');
    expect(err.message).toContain('no device named "leaf03" on branch "main"');
    expect(err.message).toContain('kept on the default branch');
  });
});

describe('write permission', () => {
  it('maps a read-only token refused on a write to AuthFailed, while its reads work', async () => {
    const sim = await startSim({ tokens: [DEFAULT_LAB_API_TOKEN, { token: 'read-only-token-1', readOnly: true }] });
    const client = testClient({ address: sim.address, apiToken: 'read-only-token-1' });
    try {
      await expect(client.getDevice('leaf01')).resolves.toMatchObject({ name: 'leaf01' });
      const err = await failure(client.setDeploymentState({ device: 'leaf01', state: 'deployed', changeId: 'chg-1' }));
      expect(err.type).toBe('AuthFailed');
      expect(err.message).toMatch(/permission denied \(HTTP 403, auth mode token\)/);
      expect(err.message).not.toContain('read-only-token-1');
    } finally {
      client.close();
      await sim.stop();
    }
  });
});

