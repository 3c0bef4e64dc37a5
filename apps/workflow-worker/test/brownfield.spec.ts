/**
 * Synapse on a fabric it did not build (tools/lab's brownfield twin of the
 * reference lab): every device runs the underlay as someone configured it,
 * plus LAGs, IPv6, a breakout, an ACL, an in-band management port, a
 * loopback and an access port Infrahub does not list, system services, and
 * its own routing policies. Whatever a change does, everything Synapse does
 * not own stays byte-identical (compared in canonical form), and what it
 * owns ends equal to the intent, or to the backup after a rollback.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { workflowIds, type ChangeResult, type EmergencyChangeRequestInput } from '@synapse/contracts';
import { diffConfigs, ownedDiff, unownedPart } from '@synapse/device-config';
import { brownfieldLab, brownfieldPorts, deviceIntent, LEGACY_IMPORT_POLICY, referenceLab } from '@synapse/lab';
import { ChangeHarness, changeRequest, LAB_DEVICES, rendered, type LabDevice } from './change-harness';

const BROWNFIELD = brownfieldLab(referenceLab());
const NI = '/network-instance[name=default]';

let harness: ChangeHarness;
beforeAll(async () => {
  harness = await ChangeHarness.start();
});
afterAll(async () => {
  await harness?.shutdown();
});
beforeEach(async () => {
  await harness.newLab(BROWNFIELD);
});
afterEach(async () => {
  await harness.stopLab();
});

const intended = (device: LabDevice) => rendered(device, BROWNFIELD);
const snapshot = (device: LabDevice) => structuredClone(harness.runningConfig(device));

/** Everything on the device Synapse does not own is as it was in `before`. */
function expectUnownedUnchanged(device: LabDevice, before: unknown): void {
  expect({ device, unowned: unownedPart(harness.runningConfig(device), intended(device)) }).toEqual({ device, unowned: unownedPart(before, intended(device)) });
}

/** The in-band management port and the access port Infrahub does not list, exactly as they were. */
function expectForeignPortsUnchanged(device: LabDevice, before: unknown): void {
  const ports = brownfieldPorts(BROWNFIELD, device);
  const entry = (config: unknown, name: string) => ((config as { interface: Array<{ name: string }> }).interface ?? []).find((i) => i.name === name);
  for (const port of [ports.inbandManagement, ports.access, ports.breakout, `${ports.breakout}/1`, 'lag1', 'lo0']) {
    expect({ port, now: entry(harness.runningConfig(device), port) }).toEqual({ port, now: entry(before, port) });
    expect(entry(before, port)).toBeDefined();
  }
}

function deviceResult(result: ChangeResult | undefined, device: LabDevice) {
  const found = result?.devices.find((d) => d.device === device);
  if (!found) throw new Error(`no ${device} result in ${JSON.stringify(result)}`);
  return found;
}

it('a standard change of the whole fabric: owned leaves equal the intent, everything else byte-identical, the device-only policy kept', async () => {
  const before = Object.fromEntries(LAB_DEVICES.map((d) => [d, snapshot(d)])) as Record<LabDevice, unknown>;
  const request = changeRequest({ devices: [...LAB_DEVICES], concurrency: 3, validation: { settleTimeoutSeconds: 15, commitConfirmed: true } });

  const { result, failure } = await harness.runChange(request);
  if (failure) throw failure;

  expect(result?.outcome).toBe('succeeded');
  for (const device of LAB_DEVICES) {
    expect(deviceResult(result, device).outcome).toBe('deployed');
    expect(await harness.deviceRun(device, request.changeId)).toMatchObject({ outcome: 'deployed', validation: { bgp: { passed: true }, interfaces: { passed: true } } });
    expect({ device, ...ownedDiff(intended(device), harness.runningConfig(device)) }).toEqual({ device, added: [], removed: [], changed: [] });
    expectUnownedUnchanged(device, before[device]);
    expectForeignPortsUnchanged(device, before[device]);
  }
  // The route leak is closed: Infrahub's reject-all-but-loopbacks replaced the accept-all export policy.
  const leaf01 = harness.runningConfig('leaf01') as { 'routing-policy': { policy: Array<{ name: string; 'default-action': unknown }> } };
  expect(leaf01['routing-policy'].policy.find((p) => p.name === 'export-loopbacks')?.['default-action']).toEqual({ 'policy-result': 'reject' });
  expect(leaf01['routing-policy'].policy.map((p) => p.name)).toEqual(expect.arrayContaining([LEGACY_IMPORT_POLICY, 'customer-export']));
  // The ownership record now names what Synapse wrote.
  expect((await harness.lab.backups.readOwnership('leaf01'))?.changeId).toBe(request.changeId);
});

it('a change whose intent relies on a policy neither in Infrahub nor on the device is refused before any device is touched', async () => {
  // leaf02 lost the device-only import policy (and, so the device accepts that, the group's reference to it).
  await harness.lab.admin.leaf02.set({ delete: [`${NI}/protocols/bgp/group[group-name=underlay]/import-policy`, `${NI}/protocols/bgp/group[group-name=route-servers]/import-policy`] });
  await harness.lab.admin.leaf02.set({ delete: [`/routing-policy/policy[name=${LEGACY_IMPORT_POLICY}]`] });
  const before = Object.fromEntries(LAB_DEVICES.map((d) => [d, snapshot(d)])) as Record<LabDevice, unknown>;

  const { failure } = await harness.runChange(changeRequest({ devices: ['leaf01', 'leaf02'] }));

  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const cause = failure!.cause as ApplicationFailure;
  expect(cause.type).toBe('InvalidInput');
  expect(cause.message).toContain(`devices.1: leaf02: peer group "underlay" import-policy "${LEGACY_IMPORT_POLICY}" is neither defined in Infrahub nor present on the device`);
  expect(cause.message).toMatch(/no device was touched$/);
  for (const device of LAB_DEVICES) expect(harness.runningConfig(device)).toEqual(before[device]);
  expect(harness.backupCommitMessages('leaf01')).toEqual([]);
});

it('a remediate-mode drift run puts back only owned drift; drift on config Synapse does not own is reported as unmanaged and left alone', async () => {
  await harness.runChange(changeRequest({ devices: [...LAB_DEVICES], concurrency: 3, validation: { settleTimeoutSeconds: 15, commitConfirmed: true } }));
  const ports = brownfieldPorts(BROWNFIELD, 'leaf01');
  await harness.lab.admin.leaf01.set({
    update: [
      { path: '/interface[name=ethernet-1/49]/mtu', value: 1500 },
      { path: '/interface[name=lag1]/description', value: 'edited by hand, not Synapse’s' },
      { path: `/interface[name=${ports.inbandManagement}]/description`, value: 'oob path 2' },
    ],
  });
  const drifted = snapshot('leaf01');

  const { report, failure } = await harness.runDrift({
    driftId: `drift-${randomUUID().slice(0, 8)}`,
    scope: { kind: 'devices', devices: ['leaf01'] },
    mode: 'remediate',
    requester: 'jest',
    reason: 'nightly',
    listUnmanaged: true,
    validation: { settleTimeoutSeconds: 10, commitConfirmed: true },
    approval: { required: false },
  });
  if (failure) throw failure;

  const leaf01 = report!.devices[0];
  expect(leaf01.status).toBe('remediated');
  expect(leaf01.drifted.map((d) => d.path)).toEqual(['/interface[name=ethernet-1/49]/mtu']);
  expect(leaf01.unmanaged?.count).toBeGreaterThan(10);
  expect(leaf01.unmanaged?.paths).toEqual(expect.arrayContaining(['/interface[name=lag1]', `/interface[name=${ports.inbandManagement}]`, '/acl']));
  expect(ownedDiff(intended('leaf01'), harness.runningConfig('leaf01'))).toEqual({ added: [], removed: [], changed: [] });
  // The hand edits outside ownership survive the remediation exactly.
  expectUnownedUnchanged('leaf01', drifted);
  expectForeignPortsUnchanged('leaf01', drifted);
});

it('an emergency patch with a time to live reverts to the identical config, and touches nothing else meanwhile', async () => {
  const before = snapshot('leaf01');
  const request: EmergencyChangeRequestInput = {
    changeId: `em-${randomUUID().slice(0, 8)}`,
    devices: ['leaf01'],
    reason: 'drain the first uplink',
    ticket: 'INC-9',
    requester: 'oncall',
    source: { kind: 'patch', patch: { update: [{ path: `${NI}/protocols/bgp/neighbor[peer-address=10.0.0.0]/admin-state`, value: 'disable' }] } },
    revertAfterSeconds: 10,
    validation: { settleTimeoutSeconds: 5, commitConfirmed: true },
  };

  const handle = await harness.startEmergency(request);
  await harness.waitForStep('leaf01', 'await-revert');
  const during = harness.runningConfig('leaf01');
  const changed = diffConfigs(during, before);
  expect([...changed.added, ...changed.removed, ...changed.changed].map((d) => d.path)).toEqual([`${NI}/protocols/bgp/neighbor[peer-address=10.0.0.0]/admin-state`]);
  const result = await handle.result();

  expect(deviceResult(result, 'leaf01')).toMatchObject({ outcome: 'reverted' });
  expect(diffConfigs(harness.runningConfig('leaf01'), before)).toEqual({ added: [], removed: [], changed: [] });
  expectForeignPortsUnchanged('leaf01', before);
});

it('a rollback (BGP held down) puts the device back to the identical config, other devices untouched', async () => {
  // Its far ends run their intent, so leaf01's sessions to them must come up (validation is relative to the far ends).
  const farEnds = await harness.runChange(changeRequest({ devices: ['spine01', 'leaf02'], validation: { settleTimeoutSeconds: 5, commitConfirmed: true } }));
  expect(farEnds.result?.outcome).toBe('succeeded');
  const before = Object.fromEntries(LAB_DEVICES.map((d) => [d, snapshot(d)])) as Record<LabDevice, unknown>;
  harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });

  const { result } = await harness.runChange(changeRequest({ devices: ['leaf01'], validation: { settleTimeoutSeconds: 3, commitConfirmed: true } }));

  const leaf01 = deviceResult(result, 'leaf01');
  expect(leaf01.outcome).toBe('rolled-back');
  expect(leaf01.reason).toMatch(/BGP validation failed on leaf01.*rolled back \(cancel-commit\)/);
  expect(diffConfigs(harness.runningConfig('leaf01'), before.leaf01)).toEqual({ added: [], removed: [], changed: [] });
  expectForeignPortsUnchanged('leaf01', before.leaf01);
  for (const device of ['spine01', 'leaf02'] as const) expect(harness.runningConfig(device)).toEqual(before[device]);
  // Nothing was confirmed: Synapse owns nothing new on leaf01.
  expect(await harness.lab.backups.readOwnership('leaf01')).toBeUndefined();
  expect(deviceIntent(BROWNFIELD, 'leaf01').interfaces.find((i) => i.role === 'management')).toBeDefined();
});

it('a change deployed from an Infrahub branch keeps its audit on the default branch after the branch is deleted', async () => {
  const branch = `mtu-${randomUUID().slice(0, 6)}`;
  await harness.lab.infrahub.createBranch(branch);
  const request = changeRequest({ devices: ['leaf01'], branch, validation: { settleTimeoutSeconds: 10, commitConfirmed: true } });

  const { result, failure } = await harness.runChange(request);
  if (failure) throw failure;
  expect(deviceResult(result, 'leaf01').outcome).toBe('deployed');

  await harness.graphql(`mutation { BranchDelete(data: { name: "${branch}" }) { ok } }`);
  // On main, where the audit lives: the deployment state and the record, naming the branch the intent came from.
  expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'deployed', lastChangeId: request.changeId });
  const records = await harness.graphql(`{ SynapseChangeRecord(change_id__value: "${request.changeId}") { edges { node { outcome { value } intent_branch { value } intent_read_at { value } } } } }`);
  expect(records.SynapseChangeRecord.edges).toEqual([{ node: { outcome: { value: 'deployed' }, intent_branch: { value: branch }, intent_read_at: { value: expect.any(String) } } }]);
});

