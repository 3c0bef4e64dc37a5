import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeKind, ChangeOutcome, ChangeRecord, DeploymentState, DeviceRole, DeviceStatus, PolicyResult, PrefixSetIntent, RouteProtocol } from '@synapse/contracts';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadSchemaFile, SchemaFile, simulatorSchema, SYNAPSE_EXTENSION_PATH } from '../src';
import { http, TOKEN, useSim } from './helpers';

const raw = parseYaml(readFileSync(SYNAPSE_EXTENSION_PATH, 'utf8'));
const file = SchemaFile.parse(raw);
const node = (name: string) => file.nodes.find((n) => n.namespace === 'Synapse' && n.name === name)!;
const changeRecord = node('ChangeRecord');
const policy = node('RoutingPolicy');
const statement = node('PolicyStatement');
const prefixSet = node('PrefixSet');
const prefixSetEntry = node('PrefixSetEntry');
const deviceExtension = file.extensions?.nodes.find((n) => n.kind === 'DcimDevice')!;
const choices = (attributes: { name: string; choices?: { name: string }[] }[], name: string) => attributes.find((a) => a.name === name)?.choices?.map((c) => c.name);

describe('the Synapse schema extension file', () => {
  it('is a valid Infrahub schema file: version 1.0, the Synapse nodes, an extension of DcimDevice', () => {
    expect(raw.version).toBe('1.0');
    expect(file.nodes.map((n) => `${n.namespace}${n.name}`)).toEqual(['SynapseChangeRecord', 'SynapseRoutingPolicy', 'SynapsePolicyStatement', 'SynapsePrefixSet', 'SynapsePrefixSetEntry']);
    expect(file.extensions?.nodes.map((n) => n.kind)).toEqual(['DcimDevice']);
    expect(deviceExtension.attributes.map((a) => a.name)).toEqual(['deployment_state', 'last_change_id', 'last_config_checksum', 'last_deployed_at']);
    expect(deviceExtension.relationships[0]).toMatchObject({ name: 'change_records', peer: 'SynapseChangeRecord', cardinality: 'many', identifier: 'synapse_change_record__device' });
    expect(changeRecord.relationships).toEqual([expect.objectContaining({ name: 'device', peer: 'DcimDevice', cardinality: 'one', optional: false, identifier: 'synapse_change_record__device' })]);
  });

  it('offers exactly the deployment states, change kinds and outcomes contracts define, in their order', () => {
    expect(choices(deviceExtension.attributes, 'deployment_state')).toEqual(DeploymentState.options);
    expect(choices(changeRecord.attributes, 'change_kind')).toEqual(ChangeKind.options);
    expect(choices(changeRecord.attributes, 'outcome')).toEqual(ChangeOutcome.options);
  });

  it('offers exactly the policy results and route protocols contracts define', () => {
    expect(choices(policy.attributes, 'default_action')).toEqual(PolicyResult.options);
    expect(choices(statement.attributes, 'action')).toEqual(PolicyResult.options);
    expect(choices(statement.attributes, 'match_protocol')).toEqual(RouteProtocol.options);
  });

  it('makes audit data branch-agnostic: the record and the deployment attributes', () => {
    expect(changeRecord.branch).toBe('agnostic');
    expect(deviceExtension.attributes.map((a) => [a.name, a.branch])).toEqual([
      ['deployment_state', 'agnostic'],
      ['last_change_id', 'agnostic'],
      ['last_config_checksum', 'agnostic'],
      ['last_deployed_at', 'agnostic'],
    ]);
    // Policies are intent: reviewed and changed on branches like the rest of it.
    for (const intentNode of [policy, statement, prefixSet, prefixSetEntry]) expect(intentNode.branch).toBeUndefined();
  });

  it('models policies and prefix sets with parent/component pairs an operator edits in the Infrahub UI', () => {
    const statements = policy.relationships.find((r) => r.name === 'statements')!;
    const parentPolicy = statement.relationships.find((r) => r.name === 'policy')!;
    expect(statements).toMatchObject({ peer: 'SynapsePolicyStatement', kind: 'Component', cardinality: 'many' });
    expect(parentPolicy).toMatchObject({ peer: 'SynapseRoutingPolicy', kind: 'Parent', cardinality: 'one', optional: false, identifier: statements.identifier });
    const prefixes = prefixSet.relationships.find((r) => r.name === 'prefixes')!;
    const parentSet = prefixSetEntry.relationships.find((r) => r.name === 'prefix_set')!;
    expect(prefixes).toMatchObject({ peer: 'SynapsePrefixSetEntry', kind: 'Component', cardinality: 'many' });
    expect(parentSet).toMatchObject({ peer: 'SynapsePrefixSet', kind: 'Parent', cardinality: 'one', optional: false, identifier: prefixes.identifier });
    expect(statement.relationships.find((r) => r.name === 'match_prefix_set')).toMatchObject({ peer: 'SynapsePrefixSet', kind: 'Attribute', cardinality: 'one', optional: true });

    expect([policy.human_friendly_id, prefixSet.human_friendly_id]).toEqual([['name__value'], ['name__value']]);
    expect(statement.human_friendly_id).toEqual(['policy__name__value', 'name__value']);
    expect(statement.uniqueness_constraints).toEqual([['policy', 'name__value'], ['policy', 'sequence__value']]);
    // The intent's order is the sequence; listing a policy's statements in Infrahub shows them in that order.
    expect(statement.order_by).toEqual(['policy__name__value', 'sequence__value']);
    expect(prefixSetEntry.human_friendly_id).toEqual(['prefix_set__name__value', 'prefix__value', 'mask_length_range__value']);
    expect(prefixSetEntry.uniqueness_constraints).toEqual([['prefix_set', 'prefix__value', 'mask_length_range__value']]);
    expect(prefixSetEntry.attributes.find((a) => a.name === 'prefix')?.kind).toBe('IPNetwork');
  });

  it('accepts the mask length ranges contracts accept, and refuses the others', () => {
    const range = prefixSetEntry.attributes.find((a) => a.name === 'mask_length_range')!;
    expect(range.default_value).toBe('exact');
    const infrahub = new RegExp(range.regex!);
    for (const text of ['exact', '32..32', '16..24', '0..128', 'Exact', '32', '32-32', '1..2..3', '1234..1', ' exact']) {
      const contracts = PrefixSetIntent.shape.prefixes.element.shape.maskLengthRange.safeParse(text).success;
      expect([text, infrahub.test(text)]).toEqual([text, contracts]);
    }
  });

  it("has a home for every field of contracts' ChangeRecord", () => {
    const homes: Record<keyof ChangeRecord, string[]> = {
      changeId: ['change_id'],
      kind: ['change_kind'],
      device: ['device'],
      requester: ['requester'],
      reason: ['reason'],
      ticket: ['ticket'],
      outcome: ['outcome'],
      diffSummary: ['diff_summary'],
      backup: ['backup_id', 'backup_sha256', 'backup_size_bytes', 'backup_taken_at'],
      detail: ['detail'],
      workflowId: ['workflow_id'],
      intent: ['intent_branch', 'intent_read_at'],
      startedAt: ['started_at'],
      finishedAt: ['finished_at'],
    };
    expect(Object.keys(homes).sort()).toEqual(Object.keys(ChangeRecord.shape).sort());
    const fields = [...changeRecord.attributes.map((a) => a.name), ...changeRecord.relationships.map((r) => r.name)];
    expect(Object.values(homes).flat().sort()).toEqual(fields.sort());
    // Optional in contracts, optional in Infrahub; required stays required.
    for (const [field, names] of Object.entries(homes)) {
      const optionalInContracts = ChangeRecord.shape[field as keyof ChangeRecord].safeParse(undefined).success;
      for (const name of names) {
        const schema = changeRecord.attributes.find((a) => a.name === name) ?? changeRecord.relationships.find((r) => r.name === name)!;
        expect([name, schema.optional]).toEqual([name, optionalInContracts]);
      }
    }
  });

  it('builds into the schema the simulator serves, and the simulator serves its choices', async () => {
    const model = simulatorSchema();
    expect(model.attributeOf('DcimDevice', 'deployment_state')?.choices?.map((c) => c.name)).toEqual(DeploymentState.options);
    expect(model.attributeOf('DcimDevice', 'status')?.choices?.map((c) => c.name)).toEqual(DeviceStatus.options);
    expect(model.attributeOf('DcimDevice', 'role')?.choices?.map((c) => c.name)).toEqual(DeviceRole.options);
    expect(model.reverse(model.relationshipOf('SynapseChangeRecord', 'device')!, 'SynapseChangeRecord', 'DcimDevice')?.name).toBe('change_records');
  });
});

describe('the Infrahub schema-file format check', () => {
  const extension = () => JSON.parse(JSON.stringify(raw));
  const failure = (value: unknown) => {
    const result = SchemaFile.safeParse(value);
    if (result.success) throw new Error('accepted');
    return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
  };

  it.each<[string, (f: any) => void, RegExp]>([
    ['a misspelt key', (f) => (f.nodes[0].attributes[0].optinal = true), /nodes\.0\.attributes\.0: .*optinal/],
    ['an unknown attribute kind', (f) => (f.nodes[0].attributes[0].kind = 'Txt'), /nodes\.0\.attributes\.0\.kind: /],
    ['a dropdown without choices', (f) => delete f.extensions.nodes[0].attributes[0].choices, /extensions\.nodes\.0\.attributes\.0\.choices: a Dropdown needs at least one choice/],
    ['a default that is not a choice', (f) => (f.extensions.nodes[0].attributes[0].default_value = 'unknown'), /default "unknown" is not one of the choices/],
    ['choices on a Text attribute', (f) => (f.nodes[0].attributes[0].choices = [{ name: 'a' }]), /choices only apply to Dropdown/],
    ['a reserved attribute name', (f) => (f.nodes[0].attributes[0].name = 'hfid'), /is a name Infrahub reserves/],
    ['an attribute name under 3 characters', (f) => (f.nodes[0].attributes[0].name = 'id'), /nodes\.0\.attributes\.0\.name: /],
    ['a restricted namespace', (f) => (f.nodes[0].namespace = 'Core'), /namespace Core is reserved/],
    ['a lower-case namespace', (f) => (f.nodes[0].namespace = 'synapse'), /nodes\.0\.namespace: one capitalised word/],
    ['a colour that is not HTML', (f) => (f.nodes[0].attributes[1].choices[0].color = 'blue'), /color: an HTML colour/],
    ['a field defined twice', (f) => f.nodes[0].attributes.push({ name: 'reason', kind: 'Text' }), /field "reason" is defined twice/],
    ['another version', (f) => (f.version = '2.0'), /^version: /],
    ['an over-long description', (f) => (f.nodes[0].attributes[0].description = 'x'.repeat(129)), /description: /],
  ])('refuses %s', (_what, breakIt, message) => {
    const broken = extension();
    breakIt(broken);
    expect(failure(broken)).toMatch(message);
  });

  it('reports a broken file by path (and field) when the simulator loads it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-file-'));
    try {
      expect(() => loadSchemaFile(__filename)).toThrow(/^schema file .*schema-extension\.spec\.ts: Implicit keys/);
      const broken = extension();
      broken.nodes[0].attributes[2].kind = 'Txt';
      const path = join(dir, 'broken.yml');
      writeFileSync(path, stringifyYaml(broken));
      expect(() => loadSchemaFile(path)).toThrow(/^schema file .*broken\.yml: nodes\.0\.attributes\.2\.kind: /);
      expect(() => simulatorSchema(path)).toThrow(/broken\.yml/);
      expect(() => loadSchemaFile(join(dir, 'absent.yml'))).toThrow(/absent\.yml: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the rules Infrahub applies when it loads the file", () => {
  const kindIndex = (f: any, name: string) => f.nodes.findIndex((n: any) => n.name === name);
  const loadBroken = (breakIt: (f: any) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-rules-'));
    try {
      const broken = JSON.parse(JSON.stringify(raw));
      breakIt(broken);
      const path = join(dir, 'broken.yml');
      writeFileSync(path, stringifyYaml(broken));
      simulatorSchema(path);
      return 'loaded';
    } catch (error) {
      return (error as Error).message;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const relationship = (f: any, kind: string, name: string) => f.nodes[kindIndex(f, kind)].relationships.find((r: any) => r.name === name);

  it('loads the file as it is', () => {
    expect(loadBroken(() => undefined)).toBe('loaded');
  });

  it.each<[string, (f: any) => void, RegExp]>([
    ['an optional parent', (f) => (relationship(f, 'PolicyStatement', 'policy').optional = true), /SynapsePolicyStatement\.policy: Relationship of type parent must not be optional/],
    ['a parent of cardinality many', (f) => (relationship(f, 'PrefixSetEntry', 'prefix_set').cardinality = 'many'), /SynapsePrefixSetEntry\.prefix_set: Relationship of type parent must be cardinality=one/],
    ['two parents', (f) => (relationship(f, 'PolicyStatement', 'match_prefix_set').kind = 'Parent'), /SynapsePolicyStatement: Only one relationship of type parent is allowed/],
    [
      'a uniqueness constraint through an optional relationship',
      (f) => f.nodes[kindIndex(f, 'PolicyStatement')].uniqueness_constraints.push(['match_prefix_set', 'name__value']),
      /SynapsePolicyStatement\.uniqueness_constraints: cannot use match_prefix_set relationship, relationship must be mandatory/,
    ],
    ['an hfid through an optional relationship', (f) => (f.nodes[kindIndex(f, 'PolicyStatement')].human_friendly_id = ['match_prefix_set__name__value', 'name__value']), /human_friendly_id: cannot use match_prefix_set relationship, relationship must be mandatory/],
    ['an hfid without the property', (f) => (f.nodes[kindIndex(f, 'PrefixSet')].human_friendly_id = ['name']), /SynapsePrefixSet\.human_friendly_id: invalid attribute, it must end with one of the following properties: value/],
    [
      'an hfid naming a peer by a non-unique attribute',
      (f) => (f.nodes[kindIndex(f, 'PolicyStatement')].human_friendly_id = ['policy__description__value', 'name__value']),
      /HFID of SynapsePolicyStatement refers to peer SynapseRoutingPolicy with a non-unique combination of attributes \['description__value'\]/,
    ],
    ['order_by through a many relationship', (f) => (f.nodes[kindIndex(f, 'RoutingPolicy')].order_by = ['statements__name__value']), /order_by: cannot use statements relationship, relationship must be of cardinality one/],
    [
      'required relationships both ways',
      (f) => Object.assign(relationship(f, 'RoutingPolicy', 'statements'), { cardinality: 'one', kind: 'Attribute', optional: false, identifier: 'policy_first_statement' }),
      /'Synapse(RoutingPolicy|PolicyStatement)' and 'Synapse(RoutingPolicy|PolicyStatement)' cannot both have required relationships to one another/,
    ],
  ])('refuses %s, with the message Infrahub gives', (_what, breakIt, message) => {
    expect(loadBroken(breakIt)).toMatch(message);
  });
});

describe('served over HTTP', () => {
  const sim = useSim();
  it("lists the extension's attributes on DcimDevice in /api/schema with the contracts' choices", async () => {
    const schema = await http(sim(), 'GET', '/api/schema?branch=main', { headers: { 'x-infrahub-key': TOKEN } });
    const device = schema.body.nodes.find((n: any) => n.kind === 'DcimDevice');
    const state = device.attributes.find((a: any) => a.name === 'deployment_state');
    expect(state).toMatchObject({ kind: 'Dropdown', optional: true, default_value: 'pending', inherited: false });
    expect(state.choices.map((c: any) => c.name)).toEqual(DeploymentState.options);
  });
});
