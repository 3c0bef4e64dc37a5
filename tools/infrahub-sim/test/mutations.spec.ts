import { data, gql, useSim } from './helpers';

const sim = useSim();
const CHECKSUM = 'a'.repeat(64);

async function deviceId(name: string, branch?: string): Promise<string> {
  const result = await data(sim(), `{ DcimDevice(name__value: "${name}") { edges { node { id } } } }`, { branch });
  return result.DcimDevice.edges[0].node.id;
}

async function deploymentOf(name: string) {
  const result = await data(
    sim(),
    `{ DcimDevice(name__value: "${name}") { edges { node { deployment_state { value is_default updated_at } last_change_id { value } last_config_checksum { value } last_deployed_at { value } change_records { count edges { node { change_id { value } } } } } } } }`,
  );
  return result.DcimDevice.edges[0].node;
}

const RECORD_FIELDS = `change_kind: {value: "standard"}, requester: {value: "alice"}, reason: {value: "new uplinks"}, outcome: {value: "deployed"},
  diff_summary: {value: "3 added"}, started_at: {value: "2026-11-28T10:00:00Z"}, finished_at: {value: "2026-11-28T10:02:00Z"}`;

describe('DcimDeviceUpdate: deployment state on a device', () => {
  it('records state, last change id, checksum and time, and answers ok with the object id', async () => {
    const id = await deviceId('leaf01');
    const result = await data(
      sim(),
      `mutation($id: String!, $checksum: String!) { DcimDeviceUpdate(data: {id: $id, deployment_state: {value: "deployed"}, last_change_id: {value: "chg-42"},
        last_config_checksum: {value: $checksum}, last_deployed_at: {value: "2026-11-28T10:02:00Z"}}) { ok object { id deployment_state { value } } } }`,
      { variables: { id, checksum: CHECKSUM } },
    );
    expect(result.DcimDeviceUpdate).toEqual({ ok: true, object: { id, deployment_state: { value: 'deployed' } } });
    expect(await deploymentOf('leaf01')).toMatchObject({
      deployment_state: { value: 'deployed', is_default: false },
      last_change_id: { value: 'chg-42' },
      last_config_checksum: { value: CHECKSUM },
      last_deployed_at: { value: '2026-11-28T10:02:00Z' },
    });
  });

  it('finds the device by hfid as well as by id', async () => {
    const result = await data(sim(), `mutation { DcimDeviceUpdate(data: {hfid: ["leaf02"], deployment_state: {value: "drifted"}}) { ok object { name { value } } } }`);
    expect(result.DcimDeviceUpdate.object.name.value).toBe('leaf02');
    expect((await deploymentOf('leaf02')).deployment_state.value).toBe('drifted');
  });

  it('refuses a state outside the dropdown with Infrahub\'s message, changing nothing', async () => {
    const id = await deviceId('spine01');
    const response = await gql(sim(), `mutation { DcimDeviceUpdate(data: {id: "${id}", deployment_state: {value: "exploded"}, last_change_id: {value: "chg-x"}}) { ok } }`);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ DcimDeviceUpdate: null });
    expect(response.body.errors).toEqual([
      {
        message: "exploded must be one of 'deployed, deploying, drifted, failed, in-sync, needs-reconciliation, pending, rolled-back' at deployment_state",
        locations: [{ line: 1, column: 12 }],
        path: ['DcimDeviceUpdate'],
        extensions: { code: 422 },
      },
    ]);
    expect(await deploymentOf('spine01')).toMatchObject({ deployment_state: { value: 'pending', is_default: true }, last_change_id: { value: null } });
  });

  it.each([
    ['a checksum that is not sha256 hex', 'last_config_checksum: {value: "abc"}', "abc must conform with the regex: '^[0-9a-f]{64}$' at last_config_checksum"],
    ['a time that is not a time', 'last_deployed_at: {value: "yesterday"}', 'yesterday is not a valid DateTime at last_deployed_at'],
    ['an empty required name', 'name: {value: null}', 'A value must be provided for name at name'],
    ['a name another device has', 'name: {value: "leaf02"}', "Violates uniqueness constraint 'name'"],
    ['a status outside the library\'s choices', 'status: {value: "deploying"}', "deploying must be one of 'active, drained, maintenance, provisioning' at status"],
  ])('refuses %s', async (_what, fields, message) => {
    const id = await deviceId('spine01');
    const response = await gql(sim(), `mutation { DcimDeviceUpdate(data: {id: "${id}", ${fields}}) { ok } }`);
    expect(response.body.errors?.[0]?.message).toBe(message);
  });

  it('reports an unknown device id as Infrahub does', async () => {
    const response = await gql(sim(), `mutation { DcimDeviceUpdate(data: {id: "no-such-id", deployment_state: {value: "failed"}}) { ok } }`);
    expect(response.body.errors[0]).toMatchObject({ message: 'Unable to find the node no-such-id / DcimDevice in the database.', extensions: { code: 404 } });
  });

  it('resets an attribute to its default with is_default', async () => {
    const id = await deviceId('leaf01');
    await data(sim(), `mutation { DcimDeviceUpdate(data: {id: "${id}", deployment_state: {is_default: true}}) { ok } }`);
    expect((await deploymentOf('leaf01')).deployment_state).toMatchObject({ value: 'pending', is_default: true });
  });
});

describe('SynapseChangeRecordCreate: the audit record of one device\'s change', () => {
  it('creates a record linked to its device, found from both sides', async () => {
    const id = await deviceId('leaf01');
    const created = await data(
      sim(),
      `mutation($device: String!) { SynapseChangeRecordCreate(data: {change_id: {value: "chg-100"}, ${RECORD_FIELDS}, ticket: {value: "CHG-7"},
        backup_id: {value: "3f2a"}, backup_sha256: {value: "${CHECKSUM}"}, backup_size_bytes: {value: 2048}, backup_taken_at: {value: "2026-11-28T09:59:00Z"},
        workflow_id: {value: "device/leaf01"}, device: {id: $device}}) { ok object { id } } }`,
      { variables: { device: id } },
    );
    expect(created.SynapseChangeRecordCreate.ok).toBe(true);
    const recordId = created.SynapseChangeRecordCreate.object.id;
    const read = await data(
      sim(),
      `{ SynapseChangeRecord(change_id__value: "chg-100") { count edges { node { id hfid display_label change_kind { value label } outcome { value } ticket { value } backup_size_bytes { value } detail { value } device { node { name { value } } } } } } }`,
    );
    expect(read.SynapseChangeRecord.edges[0].node).toEqual({
      id: recordId,
      hfid: ['chg-100', 'leaf01'],
      display_label: 'chg-100 leaf01',
      change_kind: { value: 'standard', label: 'Standard' },
      outcome: { value: 'deployed' },
      ticket: { value: 'CHG-7' },
      backup_size_bytes: { value: 2048 },
      detail: { value: null },
      device: { node: { name: { value: 'leaf01' } } },
    });
    expect((await deploymentOf('leaf01')).change_records).toEqual({ count: 1, edges: [{ node: { change_id: { value: 'chg-100' } } }] });
    const byDevice = await data(sim(), `{ SynapseChangeRecord(device__name__value: "leaf01") { count } }`);
    expect(byDevice.SynapseChangeRecord.count).toBe(1);
  });

  it('takes the device by hfid', async () => {
    const result = await data(sim(), `mutation { SynapseChangeRecordCreate(data: {change_id: {value: "chg-101"}, ${RECORD_FIELDS}, device: {hfid: ["spine01"]}}) { ok object { device { node { name { value } } } } } }`);
    expect(result.SynapseChangeRecordCreate.object.device.node.name.value).toBe('spine01');
  });

  it('refuses the same change twice for one device (uniqueness constraint)', async () => {
    const response = await gql(sim(), `mutation { SynapseChangeRecordCreate(data: {change_id: {value: "chg-101"}, ${RECORD_FIELDS}, device: {hfid: ["spine01"]}}) { ok } }`);
    expect(response.body.errors[0].message).toBe("Violates uniqueness constraint 'change_id-device'");
    const sameChangeOtherDevice = await data(sim(), `mutation { SynapseChangeRecordCreate(data: {change_id: {value: "chg-101"}, ${RECORD_FIELDS}, device: {hfid: ["leaf02"]}}) { ok } }`);
    expect(sameChangeOtherDevice.SynapseChangeRecordCreate.ok).toBe(true);
  });

  it('leaves no record behind when the device does not exist', async () => {
    const before = (await data(sim(), `{ SynapseChangeRecord { count } }`)).SynapseChangeRecord.count;
    const response = await gql(sim(), `mutation { SynapseChangeRecordCreate(data: {change_id: {value: "chg-102"}, ${RECORD_FIELDS}, device: {id: "ghost"}}) { ok } }`);
    expect(response.body.errors[0].message).toBe('Unable to find the node ghost / DcimDevice in the database.');
    const unknownHfid = await gql(sim(), `mutation { SynapseChangeRecordCreate(data: {change_id: {value: "chg-102"}, ${RECORD_FIELDS}, device: {hfid: ["leaf99"]}}) { ok } }`);
    expect(unknownHfid.body.errors[0].message).toBe("Unable to find the node ['leaf99'] / DcimDevice in the database.");
    expect((await data(sim(), `{ SynapseChangeRecord { count } }`)).SynapseChangeRecord.count).toBe(before);
  });

  it('refuses a peer of the wrong kind', async () => {
    const platform = await data(sim(), `{ DcimPlatform { edges { node { id } } } }`);
    const response = await gql(sim(), `mutation { SynapseChangeRecordCreate(data: {change_id: {value: "chg-103"}, ${RECORD_FIELDS}, device: {id: "${platform.DcimPlatform.edges[0].node.id}"}}) { ok } }`);
    expect(response.body.errors[0].message).toMatch(/^Unable to find the node .* \/ DcimDevice in the database\.$/);
  });

  it('refuses a missing required field through GraphQL validation', async () => {
    const response = await gql(sim(), `mutation { SynapseChangeRecordCreate(data: {change_id: {value: "chg-104"}, change_kind: {value: "standard"}, requester: {value: "a"}, outcome: {value: "deployed"}, diff_summary: {value: ""}, started_at: {value: "2026-11-28T10:00:00Z"}, finished_at: {value: "2026-11-28T10:00:00Z"}, device: {hfid: ["leaf01"]}}) { ok } }`);
    expect(response.status).toBe(200);
    expect(response.body.errors[0].message).toBe('Field "SynapseChangeRecordCreateInput.reason" of required type "TextAttributeCreate!" was not provided.');
  });

  it.each([
    ['an outcome outside the dropdown', 'outcome: {value: "meh"}', "meh must be one of 'deployed, dry-run, failed, in-sync, pre-empted, refused, reverted, rolled-back, suppressed' at outcome"],
    ['a kind outside the dropdown', 'change_kind: {value: "routine"}', "routine must be one of 'drift-remediation, emergency, standard' at change_kind"],
    ['a null required value', 'requester: {value: null}', 'A value must be provided for requester at requester'],
  ])('refuses %s', async (_what, override, message) => {
    const field = override.split(':')[0];
    const fields = RECORD_FIELDS.replace(new RegExp(`${field}: \\{value: "[^"]*"\\}`), override);
    const response = await gql(sim(), `mutation { SynapseChangeRecordCreate(data: {change_id: {value: "chg-105"}, ${fields}, device: {hfid: ["leaf01"]}}) { ok } }`);
    expect(response.body.errors?.[0]?.message).toBe(message);
  });

  it('deletes a record, on both ends of its relationship', async () => {
    const created = await data(sim(), `mutation { SynapseChangeRecordCreate(data: {change_id: {value: "chg-200"}, ${RECORD_FIELDS}, device: {hfid: ["leaf02"]}}) { object { id } } }`);
    const id = created.SynapseChangeRecordCreate.object.id;
    expect((await data(sim(), `mutation { SynapseChangeRecordDelete(data: {id: "${id}"}) { ok } }`)).SynapseChangeRecordDelete.ok).toBe(true);
    expect((await data(sim(), `{ SynapseChangeRecord(ids: ["${id}"]) { count } }`)).SynapseChangeRecord.count).toBe(0);
    const leaf02 = await data(sim(), `{ DcimDevice(name__value: "leaf02") { edges { node { change_records(change_id__value: "chg-200") { count } } } } }`);
    expect(leaf02.DcimDevice.edges[0].node.change_records.count).toBe(0);
    const again = await gql(sim(), `mutation { SynapseChangeRecordDelete(data: {id: "${id}"}) { ok } }`);
    expect(again.body.errors[0].message).toBe(`Unable to find the node ${id} / SynapseChangeRecord in the database.`);
  });

  it('upserts: creates on the first call, updates the same record (by hfid) on the second', async () => {
    const upsert = (outcome: string) =>
      data(sim(), `mutation { SynapseChangeRecordUpsert(data: {hfid: ["chg-300", "leaf01"], change_id: {value: "chg-300"}, ${RECORD_FIELDS.replace('"deployed"', `"${outcome}"`)}, device: {hfid: ["leaf01"]}}) { ok object { id outcome { value } } } }`);
    const first = await upsert('deployed');
    const second = await upsert('rolled-back');
    expect(second.SynapseChangeRecordUpsert.object).toEqual({ id: first.SynapseChangeRecordUpsert.object.id, outcome: { value: 'rolled-back' } });
    expect((await data(sim(), `{ SynapseChangeRecord(change_id__value: "chg-300") { count } }`)).SynapseChangeRecord.count).toBe(1);
  });
});

describe('routing policies and prefix sets, as an operator edits them', () => {
  const create = (kind: string, fields: string) => gql(sim(), `mutation { ${kind}Create(data: {${fields}}) { ok object { id hfid } } }`);

  it('builds a policy from its parts, each part named by its parent (hfid)', async () => {
    expect((await create('SynapsePrefixSet', 'name: {value: "bogons"}')).body.data.SynapsePrefixSetCreate.ok).toBe(true);
    const entry = await create('SynapsePrefixSetEntry', 'prefix: {value: "2001:0DB8:0::/32"}, prefix_set: {hfid: ["bogons"]}');
    // IPv6 is stored in Python's canonical form; an unset range takes the schema's default.
    expect(entry.body.data.SynapsePrefixSetEntryCreate.object.hfid).toEqual(['bogons', '2001:db8::/32', 'exact']);
    expect((await create('SynapseRoutingPolicy', 'name: {value: "drop-bogons"}, default_action: {value: "accept"}')).body.data.SynapseRoutingPolicyCreate.ok).toBe(true);
    const statement = await create('SynapsePolicyStatement', 'name: {value: "bogons"}, sequence: {value: 10}, action: {value: "reject"}, match_protocol: {value: "bgp"}, policy: {hfid: ["drop-bogons"]}, match_prefix_set: {hfid: ["bogons"]}');
    expect(statement.body.data.SynapsePolicyStatementCreate.object.hfid).toEqual(['drop-bogons', 'bogons']);
    const policy = await data(sim(), `{ SynapseRoutingPolicy(name__value: "drop-bogons") { edges { node { statements { edges { node { match_prefix_set { node { prefixes { count } } } } } } } } } }`);
    expect(policy.SynapseRoutingPolicy.edges[0].node.statements.edges[0].node.match_prefix_set.node.prefixes.count).toBe(1);
  });

  it.each([
    ['a prefix with host bits', 'SynapsePrefixSetEntry', 'prefix: {value: "10.1.0.1/16"}, prefix_set: {hfid: ["bogons"]}', '10.1.0.1/16 is not a valid IPNetwork at prefix'],
    ['a mask length range outside the pattern', 'SynapsePrefixSetEntry', 'prefix: {value: "10.0.0.0/8"}, mask_length_range: {value: "8-24"}, prefix_set: {hfid: ["bogons"]}', "8-24 must conform with the regex: '^(exact|[0-9]{1,3}[.][.][0-9]{1,3})$' at mask_length_range"],
    ['an entry already in the set', 'SynapsePrefixSetEntry', 'prefix: {value: "2001:db8::/32"}, prefix_set: {hfid: ["bogons"]}', "Violates uniqueness constraint 'prefix_set-prefix-mask_length_range'"],
    ['a protocol contracts do not know', 'SynapsePolicyStatement', 'name: {value: "ospf"}, sequence: {value: 20}, action: {value: "accept"}, match_protocol: {value: "ospf"}, policy: {hfid: ["drop-bogons"]}', "ospf must be one of 'aggregate, bgp, host, local, static' at match_protocol"],
    ['a second statement of the same name in the policy', 'SynapsePolicyStatement', 'name: {value: "bogons"}, sequence: {value: 30}, action: {value: "accept"}, policy: {hfid: ["drop-bogons"]}', "Violates uniqueness constraint 'policy-name'"],
    ['a second statement at the same sequence', 'SynapsePolicyStatement', 'name: {value: "other"}, sequence: {value: 10}, action: {value: "accept"}, policy: {hfid: ["drop-bogons"]}', "Violates uniqueness constraint 'policy-sequence'"],
    ['a second policy of the same name', 'SynapseRoutingPolicy', 'name: {value: "drop-bogons"}', "Violates uniqueness constraint 'name'"],
  ])('refuses %s', async (_what, kind, fields, message) => {
    const response = await create(kind, fields);
    expect(response.body.errors?.[0]?.message).toBe(message);
  });

  it('allows the same statement name in another policy', async () => {
    await create('SynapseRoutingPolicy', 'name: {value: "other-policy"}');
    const response = await create('SynapsePolicyStatement', 'name: {value: "bogons"}, sequence: {value: 10}, action: {value: "accept"}, policy: {hfid: ["other-policy"]}');
    expect(response.body.data.SynapsePolicyStatementCreate.ok).toBe(true);
  });

  it('deletes a policy with its statements (components cascade), leaving the prefix set it used', async () => {
    expect((await data(sim(), `mutation { SynapseRoutingPolicyDelete(data: {hfid: ["drop-bogons"]}) { ok } }`)).SynapseRoutingPolicyDelete.ok).toBe(true);
    const left = await data(sim(), `{ SynapsePolicyStatement(policy__name__value: "drop-bogons") { count } other: SynapsePolicyStatement(policy__name__value: "other-policy") { count } SynapsePrefixSet(name__value: "bogons") { count } }`);
    expect(left).toEqual({ SynapsePolicyStatement: { count: 0 }, other: { count: 1 }, SynapsePrefixSet: { count: 1 } });
  });
});
