import { data, gql, http, TOKEN, useSim } from './helpers';

const sim = useSim();

const stateOf = async (name: string, branch?: string) =>
  (await data(sim(), `{ DcimDevice(name__value: "${name}") { edges { node { deployment_state { value } } } } }`, { branch })).DcimDevice.edges[0].node.deployment_state.value;

async function setState(name: string, state: string, branch?: string) {
  await data(sim(), `mutation { DcimDeviceUpdate(data: {hfid: ["${name}"], deployment_state: {value: "${state}"}}) { ok } }`, { branch });
}

const descriptionOf = async (name: string, branch?: string) =>
  (await data(sim(), `{ DcimDevice(name__value: "${name}") { edges { node { description { value } } } } }`, { branch })).DcimDevice.edges[0].node.description.value;

async function setDescription(name: string, description: string, branch?: string) {
  await data(sim(), `mutation { DcimDeviceUpdate(data: {hfid: ["${name}"], description: {value: "${description}"}}) { ok } }`, { branch });
}

const createRecord = (changeId: string, device: string, branch?: string) =>
  data(
    sim(),
    `mutation { SynapseChangeRecordCreate(data: {change_id: {value: "${changeId}"}, change_kind: {value: "standard"}, requester: {value: "bob"}, reason: {value: "r"}, outcome: {value: "dry-run"}, diff_summary: {value: "none"}, started_at: {value: "2026-11-28T10:00:00Z"}, finished_at: {value: "2026-11-28T10:00:01Z"}, device: {hfid: ["${device}"]}}) { ok object { id } } }`,
    { branch },
  ).then((result) => result.SynapseChangeRecordCreate.object.id as string);

const recordsOn = async (branch?: string) =>
  (await data(sim(), `{ SynapseChangeRecord { edges { node { id change_id { value } device { node { name { value } } } } } } }`, { branch })).SynapseChangeRecord.edges.map((e: any) => ({
    id: e.node.id,
    changeId: e.node.change_id.value,
    device: e.node.device?.node.name.value ?? null,
  }));

const createBranch = (name: string, extra = '') =>
  gql(sim(), `mutation { BranchCreate(${extra} data: {name: "${name}", description: "change window", sync_with_git: false}) { ok object { id name description origin_branch branched_from is_default sync_with_git has_schema_changes status } task { id } } }`);

describe('branches', () => {
  it('creates a branch as a copy of main and lists it', async () => {
    const response = await createBranch('change-1');
    expect(response.body.data.BranchCreate).toMatchObject({
      ok: true,
      object: { name: 'change-1', description: 'change window', origin_branch: 'main', is_default: false, sync_with_git: false, has_schema_changes: false, status: 'OPEN' },
    });
    expect(Date.parse(response.body.data.BranchCreate.object.branched_from)).not.toBeNaN();
    const listed = await data(sim(), `{ Branch { name is_default } one: Branch(name: "change-1") { id } }`);
    expect(listed.Branch).toEqual([{ name: 'main', is_default: true }, { name: 'change-1', is_default: false }]);
    expect(listed.one[0].id).toBe(response.body.data.BranchCreate.object.id);
    expect(sim().branches().map((b) => b.name)).toEqual(['main', 'change-1']);
    expect((await data(sim(), `{ DcimDevice { count } RoutingBGPSession { count } }`, { branch: 'change-1' }))).toEqual({ DcimDevice: { count: 3 }, RoutingBGPSession: { count: 8 } });
  });

  it('keeps branch-aware writes on the branch invisible on main', async () => {
    await setDescription('leaf01', 'rewired on the branch', 'change-1');
    expect(await descriptionOf('leaf01', 'change-1')).toBe('rewired on the branch');
    expect(await descriptionOf('leaf01')).toBeNull();
  });

  it('keeps branch-aware writes on main after branching invisible on the branch', async () => {
    await setDescription('leaf02', 'rewired on main');
    expect(await descriptionOf('leaf02')).toBe('rewired on main');
    expect(await descriptionOf('leaf02', 'change-1')).toBeNull();
  });

  it('shares a branch-agnostic attribute with every branch, whichever branch it is written on', async () => {
    await setState('leaf01', 'deploying', 'change-1');
    expect(await stateOf('leaf01', 'change-1')).toBe('deploying');
    expect(await stateOf('leaf01')).toBe('deploying');
    await setState('leaf01', 'deployed');
    expect(await stateOf('leaf01', 'change-1')).toBe('deployed');
    // The aware attribute of the same object, written in the same breath, stays apart.
    expect(await descriptionOf('leaf01')).toBeNull();
  });

  it('shares a branch-agnostic node with every branch; its relationship to an aware device stays where it was written', async () => {
    const fromBranch = await createRecord('chg-b1', 'leaf01', 'change-1');
    const fromMain = await createRecord('chg-m1', 'leaf02');
    expect(await recordsOn('change-1')).toEqual([
      { id: fromBranch, changeId: 'chg-b1', device: 'leaf01' },
      { id: fromMain, changeId: 'chg-m1', device: null },
    ]);
    expect(await recordsOn()).toEqual([
      { id: fromBranch, changeId: 'chg-b1', device: null },
      { id: fromMain, changeId: 'chg-m1', device: 'leaf02' },
    ]);
    // Updated on one branch, the same on all.
    await data(sim(), `mutation { SynapseChangeRecordUpdate(data: {id: "${fromMain}", outcome: {value: "deployed"}}) { ok } }`, { branch: 'change-1' });
    expect((await data(sim(), `{ SynapseChangeRecord(ids: ["${fromMain}"]) { edges { node { outcome { value } } } } }`)).SynapseChangeRecord.edges[0].node.outcome.value).toBe('deployed');
  });

  it('addresses a branch whose name has a slash, URL-encoded', async () => {
    expect((await createBranch('feature/uplinks')).body.data.BranchCreate.ok).toBe(true);
    await setDescription('spine01', 'on feature/uplinks', 'feature/uplinks');
    const raw = await fetch(`${sim().address}/graphql/feature%2Fuplinks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-infrahub-key': TOKEN },
      body: JSON.stringify({ query: '{ DcimDevice(name__value: "spine01") { edges { node { description { value } } } } }' }),
    });
    expect(((await raw.json()) as any).data.DcimDevice.edges[0].node.description.value).toBe('on feature/uplinks');
    expect(await descriptionOf('spine01')).toBeNull();
  });

  it('answers a query on an unknown branch with 404', async () => {
    const response = await gql(sim(), '{ DcimDevice { count } }', { branch: 'nope' });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: ['Branch: nope not found.'] });
    const schema = await http(sim(), 'GET', '/api/schema?branch=nope', { headers: { 'x-infrahub-key': TOKEN } });
    expect(schema.status).toBe(400);
    expect(schema.body.errors[0].message).toBe('Branch: nope not found.');
  });

  it.each([
    ['change-1', 'The branch change-1, already exist'],
    ['ab', 'invalid field name: String should have at least 3 characters'],
    ['has space', 'invalid field name: Value error, Branch name contains invalid patterns or characters: disallowed ASCII characters/patterns'],
    ['double..dot', 'invalid field name: Value error, Branch name contains invalid patterns or characters: ..'],
    ['trailing/', 'invalid field name: Value error, Branch name contains invalid patterns or characters: ends with / or .'],
  ])('refuses to create branch "%s"', async (name, message) => {
    const response = await createBranch(name);
    expect(response.status).toBe(200);
    expect(response.body.errors[0].message).toBe(message);
  });

  it('returns a task id when the caller does not wait, with the branch already usable', async () => {
    const response = await createBranch('change-2', 'wait_until_completion: false,');
    expect(response.body.data.BranchCreate.task.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await descriptionOf('leaf02', 'change-2')).toBe('rewired on main');
  });

  it('deletes a branch, after which it is unknown; main cannot be deleted', async () => {
    expect((await data(sim(), `mutation { BranchDelete(data: {name: "change-2"}) { ok } }`)).BranchDelete.ok).toBe(true);
    expect((await gql(sim(), '{ DcimDevice { count } }', { branch: 'change-2' })).status).toBe(404);
    const main = await gql(sim(), `mutation { BranchDelete(data: {name: "main"}) { ok } }`);
    expect(main.body.errors[0].message).toBe('The default branch main cannot be deleted');
    const unknown = await gql(sim(), `mutation { BranchDelete(data: {name: "never"}) { ok } }`);
    expect(unknown.body.errors[0].message).toBe('Branch: never not found.');
  });

  it('keeps branch-agnostic data written from a branch after that branch is deleted, and drops the aware data', async () => {
    await createBranch('doomed');
    await setState('spine01', 'rolled-back', 'doomed');
    await setDescription('spine01', 'only on doomed', 'doomed');
    const record = await createRecord('chg-doomed', 'spine01', 'doomed');
    const policy = await data(sim(), `mutation { SynapseRoutingPolicyCreate(data: {name: {value: "doomed-policy"}, default_action: {value: "accept"}}) { ok } }`, { branch: 'doomed' });
    expect(policy.SynapseRoutingPolicyCreate.ok).toBe(true);

    await data(sim(), `mutation { BranchDelete(data: {name: "doomed"}) { ok } }`);
    expect(await stateOf('spine01')).toBe('rolled-back');
    expect(await descriptionOf('spine01')).toBeNull();
    expect((await recordsOn()).find((r: { id: string }) => r.id === record)).toEqual({ id: record, changeId: 'chg-doomed', device: null });
    expect((await data(sim(), `{ SynapseRoutingPolicy(name__value: "doomed-policy") { count } }`)).SynapseRoutingPolicy.count).toBe(0);
  });

  it('deletes an agnostic node from every branch, whichever branch the delete names', async () => {
    const id = await createRecord('chg-gone', 'leaf02');
    await data(sim(), `mutation { SynapseChangeRecordDelete(data: {id: "${id}"}) { ok } }`, { branch: 'change-1' });
    expect((await recordsOn()).map((r: { id: string }) => r.id)).not.toContain(id);
    expect((await recordsOn('change-1')).map((r: { id: string }) => r.id)).not.toContain(id);
  });
});
