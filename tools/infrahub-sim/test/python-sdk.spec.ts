import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bgpSessions, referenceLab } from '@synapse/lab';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { DEFAULT_LAB_USER, SYNAPSE_EXTENSION_PATH } from '../src';
import { data, TOKEN, useSim } from './helpers';

/**
 * Interop: the real Python SDK (infrahub-sdk 1.23.2 from PyPI) against the
 * simulator. The Python side only reports what it saw (python/sdk_interop.py);
 * the assertions are here. A missing interpreter or SDK fails the suite: the
 * simulator is only worth its name if third-party clients accept it.
 */

const run = promisify(execFile);
const REPO_ROOT = join(__dirname, '..', '..', '..');
const PYTHON = process.env.SYNAPSE_PYTHON ?? join(REPO_ROOT, '.data', 'venv', 'bin', 'python');
const SCRIPT = join(__dirname, '..', 'python', 'sdk_interop.py');
const SDK_VERSION = '1.23.2';
const ACCESS_TTL_SECONDS = 1;
const BRANCH = 'sdk-interop';

const sim = useSim({ accessTokenTtlSeconds: ACCESS_TTL_SECONDS });
let report: any;
const scratch = mkdtempSync(join(tmpdir(), 'sdk-interop-'));

beforeAll(async () => {
  if (!existsSync(PYTHON)) {
    throw new Error(`Python for the SDK interop test not found at ${PYTHON}. Create the venv (node tools/scripts/bootstrap.js) and run ${PYTHON.replace(/python$/, 'pip')} install infrahub-sdk==${SDK_VERSION}, or point SYNAPSE_PYTHON at an interpreter that has it.`);
  }
  const probe = await run(PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("infrahub-sdk"))']).catch((error: Error) => {
    throw new Error(`infrahub-sdk is not importable by ${PYTHON}: install it with pip install infrahub-sdk==${SDK_VERSION} (${error.message})`);
  });
  expect(probe.stdout.trim()).toBe(SDK_VERSION);

  // The venv has no YAML parser; hand the SDK the extension as JSON, parsed here by the same library the simulator uses.
  const extensionJson = join(scratch, 'synapse-extension.json');
  writeFileSync(extensionJson, JSON.stringify(parseYaml(readFileSync(SYNAPSE_EXTENSION_PATH, 'utf8'))));
  // execFile, not execFileSync: the simulator runs in this process and must keep answering.
  const { stdout } = await run(
    PYTHON,
    [SCRIPT, sim().address, TOKEN, DEFAULT_LAB_USER.username, DEFAULT_LAB_USER.password, String(ACCESS_TTL_SECONDS), BRANCH, extensionJson],
    { timeout: 90_000 },
  ).catch((error: { stdout?: string; message: string }) => ({ stdout: error.stdout ?? '', failure: error.message }));
  const outcome = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
  if (!outcome.ok) throw new Error(`the Python SDK failed against the simulator: ${outcome.error}\n${outcome.traceback}`);
  report = outcome.report;
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('Python infrahub-sdk against the simulator', () => {
  it('accepts the schema extension file with its own offline schema validator', () => {
    expect(report.extension_validation).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('reads every device of the reference lab with an API token (client.all)', async () => {
    const ids = await data(sim(), '{ DcimDevice { edges { node { id name { value } } } } }');
    const expectedIds = Object.fromEntries(ids.DcimDevice.edges.map((e: any) => [e.node.name.value, e.node.id]));
    expect(Object.keys(report.main_devices).sort()).toEqual(['leaf01', 'leaf02', 'spine01']);
    for (const [name, device] of Object.entries<any>(report.main_devices)) {
      expect(device).toMatchObject({ id: expectedIds[name], hfid: [name], display_label: name, status: 'active', deployment_state: 'pending', last_change_id: null });
    }
    expect(report.main_devices.spine01.role).toBe('spine');
    expect(report.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('follows relationships (client.get, fetch, filters with prefetch)', () => {
    expect(report.leaf01).toEqual({ asn: 65001, asn_label: 'AS 65001: AS65001', platform: 'srlinux' });
    const expected = bgpSessions(referenceLab(), 'leaf01').map((s) => ({
      description: s.description,
      local_ip: `${s.localAddress}/31`,
      remote_ip: `${s.peerAddress}/31`,
      remote_as: s.peerAs,
      peer_group: s.peerGroup,
    }));
    expect(report.leaf01_sessions).toEqual(expected);
    expect(report.spine01_interfaces).toEqual(['ethernet-1/1', 'ethernet-1/2', 'ethernet-1/3', 'ethernet-1/4']);
  });

  it("reads Synapse's routing policies, their statements and prefix sets (filters, fetch, IPNetwork)", () => {
    const design = referenceLab().bgp;
    const expected = Object.fromEntries(
      design.policies.map((p) => [
        p.name,
        { default_action: p.defaultAction, statements: p.statements.map((s, i) => ({ name: s.name, sequence: (i + 1) * 10, action: s.action, prefix_set: s.match.prefixSet ?? null })) },
      ]),
    );
    expect(report.policies).toEqual(expected);
    expect(report.loopbacks).toEqual(design.prefixSets.find((p) => p.name === 'loopbacks')!.prefixes.map((e) => [e.prefix, e.maskLengthRange]));
  });

  it('creates a branch (client.branch.create); a branch-aware write stays there, audit data is shared with main', async () => {
    expect(report.branch).toEqual({ name: BRANCH, is_default: false, origin_branch: 'main' });
    expect(report.branches).toEqual(['main', BRANCH]);
    expect(report.branch_devices.leaf01).toMatchObject({ description: 'edited on the branch', deployment_state: 'deploying', last_change_id: 'chg-sdk-1' });
    expect(report.branch_devices.leaf02.deployment_state).toBe('pending');
    expect(report.main_devices_after.leaf01).toMatchObject({ description: null, deployment_state: 'deploying', last_change_id: 'chg-sdk-1' });
    expect(report.change_records).toEqual({ branch: ['chg-sdk-1'], main: ['chg-sdk-1'] });
    // The SDK's `at` (time travel) reads leaf01 as it was before those writes.
    expect(report.leaf01_before_write).toEqual({ description: null, deployment_state: report.main_devices.leaf01.deployment_state, last_change_id: report.main_devices.leaf01.last_change_id });
    // The record's device relationship is branch-aware (an agnostic node, an aware peer): it stays on the branch it was written on.
    expect(report.change_record_id).toEqual(expect.any(String));
  });

  it('keeps the branch-agnostic data on main after client.branch.delete', async () => {
    expect(report.branch_deleted).toBe(true);
    expect(report.after_delete).toMatchObject({
      branches: ['main'],
      change_records: ['chg-sdk-1'],
      leaf01: { description: null, deployment_state: 'deploying', last_change_id: 'chg-sdk-1' },
    });
    const onMain = await data(sim(), `{ SynapseChangeRecord { edges { node { id device { node { id } } } } } }`);
    expect(onMain.SynapseChangeRecord.edges).toEqual([{ node: { id: report.change_record_id, device: null } }]);
  });

  it("surfaces the simulator's dropdown error through the SDK's GraphQLError", () => {
    expect(report.bad_dropdown).toBe("exploded must be one of 'deployed, deploying, drifted, failed, in-sync, needs-reconciliation, pending, rolled-back' at deployment_state");
  });

  it('logs in with username and password and reads main and the branch', () => {
    expect(report.login_main_devices).toEqual(['leaf01', 'leaf02', 'spine01']);
    expect(report.login_branch_leaf01).toBe('deploying');
  });

  it('renews an expired access token by itself on "Expired Signature" and carries on', () => {
    expect(report.after_expiry_devices).toEqual(['leaf01', 'leaf02', 'spine01']);
    expect(report.access_token_renewed).toBe(true);
  });
});
