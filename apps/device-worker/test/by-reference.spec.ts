import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DocumentRef, ManagedConfig } from '@synapse/contracts';
import { checksum, isEmptyDiff, ownedDiff } from '@synapse/device-config';
import { commitIdFor } from '../src/activities';
import { ownedChecksum } from '../src/activities/check-drift';
import { arrangeDeployed, expected, failureOf, rendered, resultOf, runActivity, startTestLab, type LabDevice, type TestLab } from './lab';

const SETTLE_S = 1;

/** Replaces a stored document's bytes (someone altering the shared volume). */
function tamper(lab: TestLab, ref: DocumentRef, edit: (json: string) => string): void {
  const file = path.join(lab.documents.dir, ref.sha256.slice(0, 2), `${ref.sha256}.json`);
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

/** The archive commits the backup history has for a change. */
function archivedFor(lab: TestLab, changeId: string): string[] {
  return execFileSync('git', ['log', '--format=%H', '--grep', `Change-Id: ${changeId}`], { cwd: lab.backupDir, encoding: 'utf8' }).split('\n').filter(Boolean);
}

async function onDevice(lab: TestLab, device: LabDevice, config: ManagedConfig): Promise<boolean> {
  return isEmptyDiff(ownedDiff(config, await lab.admin[device].getConfig('/')));
}

describe('configs by reference: prepareDeploy, validateAndConfirm, deploy/confirm/rollback and drift with a configRef', () => {
  let lab: TestLab;

  beforeEach(async () => {
    lab = await startTestLab({ timeoutMs: 2000 });
  });

  afterEach(async () => {
    await lab.stop();
  });

  const prepare = (config: DocumentRef, extra: Record<string, unknown> = {}) =>
    runActivity(lab.activities.prepareDeploy, [{ device: 'leaf01', changeId: 'chg-1', workflowId: 'device/leaf01', reason: 'test', config, ...extra }]);

  describe('prepareDeploy', () => {
    it('a device in sync: backed up, planned in sync, not archived', async () => {
      await arrangeDeployed(lab, 'leaf01');
      const ref = await lab.documents.putConfig(rendered('leaf01'));
      const run = await prepare(ref);
      const result = resultOf(run);
      expect(result.archived).toBe(false);
      expect(result.plan).toMatchObject({ inSync: true, counts: { added: 0, changed: 0, removed: 0 }, stalePaths: [] });
      expect(result.plan).not.toHaveProperty('diff');
      expect(result).not.toHaveProperty('baseline');
      // The backup is written (readable, verified) but the history has no commit for it.
      expect((await lab.backups.readBackup(result.backup)).length).toBe(result.backup.sizeBytes);
      expect(archivedFor(lab, 'chg-1')).toEqual([]);
      expect(run.heartbeats).toContainEqual(expect.objectContaining({ device: 'leaf01', phase: 'get-config' }));
      expect(run.heartbeats).toContainEqual(expect.objectContaining({ phase: 'plan' }));
    });

    it('changes to deploy: archived with the change, counted, and no config values unless a dry run', async () => {
      const ref = await lab.documents.putConfig(rendered('leaf01'));
      const result = resultOf(await prepare(ref));
      expect(result.archived).toBe(true);
      expect(result.plan?.inSync).toBe(false);
      expect(result.plan?.counts.added).toBeGreaterThan(0);
      expect(result.plan?.summary).toMatch(new RegExp(`^${result.plan!.counts.changed} changed, ${result.plan!.counts.added} added, ${result.plan!.counts.removed} removed`));
      expect(result.plan).not.toHaveProperty('diff');
      expect(archivedFor(lab, 'chg-1')).toHaveLength(1);
      // A retry finds the archive it made.
      const again = resultOf(await prepare(ref));
      expect(again.backup.id).toBe(result.backup.id);
      expect(archivedFor(lab, 'chg-1')).toHaveLength(1);

      const dry = resultOf(await prepare(ref, { changeId: 'chg-dry', dryRun: true }));
      expect(dry.archived).toBe(false);
      expect(archivedFor(lab, 'chg-dry')).toEqual([]);
      expect(dry.plan?.diff?.added.length).toBe(dry.plan?.counts.added);
      expect(dry.plan?.diff?.added.map((a) => a.path)).toContain('/interface[name=ethernet-1/49]');
    });

    it('backupOnly: the backup archived, no plan, the document not even read; baseline: the states before the deploy', async () => {
      await arrangeDeployed(lab, 'spine01', 'leaf01', 'leaf02');
      const absent: DocumentRef = { sha256: 'f'.repeat(64), sizeBytes: 1 };
      const patch = resultOf(await prepare(absent, { backupOnly: true }));
      expect(patch.archived).toBe(true);
      expect(patch).not.toHaveProperty('plan');
      expect(archivedFor(lab, 'chg-1')).toHaveLength(1);

      const ref = await lab.documents.putConfig(rendered('leaf01'));
      const result = resultOf(await prepare(ref, { changeId: 'chg-2', baseline: true }));
      expect(result.baseline?.device).toBe('leaf01');
      expect(Object.keys(result.baseline?.sessions ?? {})).toEqual(expect.arrayContaining(['10.0.0.0', '10.0.0.4']));
      expect(result.baseline?.interfaces['ethernet-1/49']).toEqual({ admin: 'enable', oper: 'up' });
    });

    it('refuses a plan over the deletion budget, and a commit pending on the device, before archiving anything', async () => {
      await arrangeDeployed(lab, 'leaf01');
      resultOf(await runActivity(lab.activities.recordOwnership, [{ device: 'leaf01', changeId: 'chg-0', workflowId: 'w', config: rendered('leaf01') }]));
      const fewer = rendered('leaf01');
      delete fewer['/interface[name=ethernet-1/50]'];
      const ref = await lab.documents.putConfig(fewer);
      const over = failureOf(await prepare(ref, { deletionBudget: 0 }));
      expect(over).toMatchObject({ type: 'InvalidInput', nonRetryable: true, message: expect.stringMatching(/deletes \d+ entries.*deletion budget of 0/) });
      const within = resultOf(await prepare(ref, { changeId: 'chg-3', deletionBudget: 10 }));
      expect(within.plan?.stalePaths).toContain('/interface[name=ethernet-1/50]');

      await lab.admin.leaf01.set({ update: [{ path: '/interface[name=mgmt0]/description', value: 'x' }] }, { commit: { id: 'someone-else', action: 'commit', rollbackDurationMs: 60_000 } });
      expect(failureOf(await prepare(ref, { changeId: 'chg-4' }))).toMatchObject({ type: 'DeviceBusy' });
    });
  });

  describe('validateAndConfirm', () => {
    const input = (extra: Record<string, unknown> = {}) => ({
      device: 'leaf01',
      changeId: 'chg-1',
      workflowId: 'device/leaf01',
      neighbors: expected('leaf01').neighbors,
      interfaces: expected('leaf01').interfaces,
      settleTimeoutSeconds: SETTLE_S,
      ...extra,
    });

    it('both pass: the commit confirmed and the config recorded as owned, each step timed', async () => {
      await arrangeDeployed(lab, 'spine01', 'leaf02');
      const config = rendered('leaf01');
      const ref = await lab.documents.putConfig(config);
      const commitId = commitIdFor('chg-1', 'leaf01');
      resultOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', configRef: ref, commitConfirmed: { rollbackDurationSeconds: 60 } }]));
      const run = await runActivity(lab.activities.validateAndConfirm, [input({ settleTimeoutSeconds: 10, confirm: { commitId, deployed: { configRef: ref } }, recordOwnership: ref })]);
      const result = resultOf(run);
      expect(result).toMatchObject({ device: 'leaf01', confirmed: true, bgp: { kind: 'bgp', passed: true }, interfaces: { kind: 'interfaces', passed: true } });
      expect(result).not.toHaveProperty('ownershipProblem');
      expect(result.steps.map((s) => s.step)).toEqual(['validate-bgp', 'validate-interfaces', 'confirm', 'record-ownership']);
      // Confirmed: nothing left to confirm, and the change stays.
      await expect(lab.admin.leaf01.confirmCommit(commitId)).rejects.toMatchObject({ details: { grpcStatus: 'FAILED_PRECONDITION' } });
      expect(await onDevice(lab, 'leaf01', config)).toBe(true);
      expect(await lab.backups.readOwnership('leaf01')).toMatchObject({ changeId: 'chg-1', checksum: ref.sha256 });
      // The heartbeat the CLI reads: both validations summed.
      expect(run.heartbeats[0]).toMatchObject({ device: 'leaf01', total: 5, pending: expect.any(Array), startedAtMs: expect.any(Number) });
    });

    it('a validation fails: passed:false, not confirmed, nothing recorded, and heartbeats name what is pending', async () => {
      await arrangeDeployed(lab, 'spine01', 'leaf01', 'leaf02');
      lab.sim.faults('leaf01').set({ holdBgpDown: true });
      const ref = await lab.documents.putConfig(rendered('leaf01'));
      const run = await runActivity(lab.activities.validateAndConfirm, [input({ confirm: { commitId: commitIdFor('chg-1', 'leaf01'), deployed: { configRef: ref } }, recordOwnership: ref })]);
      const result = resultOf(run);
      expect(result.confirmed).toBe(false);
      expect(result.bgp.passed).toBe(false);
      expect(result.interfaces.passed).toBe(true);
      expect(result.bgp.checks[0].reason).toMatch(/^neighbor 10\.0\.0\.0: session-state \w+, expected established after 1 s$/);
      expect(result.steps.map((s) => s.step)).toEqual(['validate-bgp', 'validate-interfaces']);
      expect(await lab.backups.readOwnership('leaf01')).toBeUndefined();
      expect(run.heartbeats[run.heartbeats.length - 1]).toMatchObject({ satisfied: 3, total: 5, pending: ['neighbor 10.0.0.0', 'neighbor 10.0.0.4'] });
    });

    it('an ownership record that cannot be written is said, not thrown; the validations still pass', async () => {
      await arrangeDeployed(lab, 'spine01', 'leaf01', 'leaf02');
      const missing: DocumentRef = { sha256: 'a'.repeat(64), sizeBytes: 10 };
      const result = resultOf(await runActivity(lab.activities.validateAndConfirm, [input({ settleTimeoutSeconds: 10, recordOwnership: missing })]));
      expect(result.confirmed).toBe(false);
      expect(result.bgp.passed && result.interfaces.passed).toBe(true);
      expect(result.ownershipProblem).toMatch(/^leaf01: the deployed config was not recorded as owned \(.*aaaaaaaaaaaa.*not in the document store/);
      expect(result.steps.map((s) => s.step)).toEqual(['validate-bgp', 'validate-interfaces', 'record-ownership']);
      expect(await lab.backups.readOwnership('leaf01')).toBeUndefined();
    });
  });

  describe('deploy, confirm and rollback with a configRef', () => {
    it('deploys the stored config and rolls it back by reference', async () => {
      const config = rendered('leaf01');
      const ref = await lab.documents.putConfig(config);
      const before = lab.sim.runningConfig('leaf01');
      const backup = resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId: 'chg-1' }]));
      const deployed = resultOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', configRef: ref, commitConfirmed: { rollbackDurationSeconds: 60 } }]));
      expect(deployed.updatedPaths.length).toBeGreaterThan(0);
      expect(await onDevice(lab, 'leaf01', config)).toBe(true);
      // The readback a lost confirm answer needs is there by reference too.
      resultOf(await runActivity(lab.activities.confirmCommit, [{ device: 'leaf01', commitId: deployed.commitId!, deployed: { configRef: ref } }]));
      const rollback = resultOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, touched: { configRef: ref } }]));
      expect(rollback).toMatchObject({ method: 'restore', verified: true });
      expect(lab.sim.runningConfig('leaf01')).toEqual(before);
    });

    it('refuses a tampered, missing or unconfigured document before touching the device', async () => {
      const ref = await lab.documents.putConfig(rendered('leaf01'));
      const before = lab.sim.runningConfig('leaf01');
      tamper(lab, ref, (json) => json.replace('"mtu":9214', '"mtu":1500'));
      const tampered = failureOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', configRef: ref }]));
      expect(tampered).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
      expect(tampered.message).toMatch(new RegExp(`leaf01.*${ref.sha256.slice(0, 12)}.*altered.*SYNAPSE_DOCUMENT_DIR`));
      expect(lab.sim.runningConfig('leaf01')).toEqual(before);

      const missing = failureOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', configRef: { sha256: 'b'.repeat(64), sizeBytes: 1 } }]));
      expect(missing.message).toMatch(/leaf01.*bbbbbbbbbbbb.*not in the document store.*SYNAPSE_DOCUMENT_DIR/);

      // A document whose bytes hash to its name but whose content is not canonical: its checksum is not the name.
      const odd = JSON.stringify({ '/interface[name=ethernet-1/49]': { mtu: 9000, description: 'x' } });
      const { createHash } = await import('node:crypto');
      const sha256 = createHash('sha256').update(odd).digest('hex');
      mkdirSync(path.join(lab.documents.dir, sha256.slice(0, 2)), { recursive: true });
      writeFileSync(path.join(lab.documents.dir, sha256.slice(0, 2), `${sha256}.json`), odd);
      expect(checksum(JSON.parse(odd))).not.toBe(sha256);
      const notCanonical = failureOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', configRef: { sha256, sizeBytes: odd.length } }]));
      // Refused either by the store (bytes against the name) or by the checksum check after it.
      expect(notCanonical).toMatchObject({ type: 'InvalidInput', message: expect.stringMatching(/altered|not its name/) });
      expect(lab.sim.runningConfig('leaf01')).toEqual(before);

      await lab.stop();
      lab = await startTestLab({ documents: false });
      const none = failureOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', configRef: ref }]));
      expect(none).toMatchObject({ type: 'InvalidInput', nonRetryable: true, message: expect.stringMatching(/leaf01.*no document store.*SYNAPSE_DOCUMENT_DIR/) });
    });
  });

  describe('checkDrift with configRef', () => {
    it('in sync and drifted, as with the config itself', async () => {
      await arrangeDeployed(lab, 'spine01', 'leaf01', 'leaf02');
      await lab.admin.leaf02.set({ update: [{ path: '/interface[name=ethernet-1/49]/mtu', value: 1500 }] });
      const refs = { leaf01: await lab.documents.putConfig(rendered('leaf01')), leaf02: await lab.documents.putConfig(rendered('leaf02')) };
      const byRef = resultOf(await runActivity(lab.activities.checkDrift, [{ devices: [{ device: 'leaf01', configRef: refs.leaf01 }, { device: 'leaf02', configRef: refs.leaf02 }] }])).devices;
      const byValue = resultOf(await runActivity(lab.activities.checkDrift, [{ devices: [{ device: 'leaf01', config: rendered('leaf01') }, { device: 'leaf02', config: rendered('leaf02') }] }])).devices;
      expect(byRef.map((d) => d.status)).toEqual(['in-sync', 'drifted']);
      expect(byRef).toEqual(byValue);
      expect(byRef[1].drifted).toEqual([{ path: '/interface[name=ethernet-1/49]/mtu', before: 9214, after: 1500 }]);

      tamper(lab, refs.leaf01, (json) => json.replace('"mtu":9214', '"mtu":1500'));
      expect(failureOf(await runActivity(lab.activities.checkDrift, [{ devices: [{ device: 'leaf01', configRef: refs.leaf01 }] }]))).toMatchObject({ type: 'InvalidInput' });
    });

    it('the owned checksum of a device running its intent is the intent checksum (the shortcut is taken), and differs once it drifts', async () => {
      await arrangeDeployed(lab, 'spine01', 'leaf01');
      // Config outside what Synapse owns does not change it.
      await lab.admin.leaf01.set({ update: [{ path: '/interface[name=ethernet-1/49]/loopback-mode', value: 'none' }] });
      for (const device of ['spine01', 'leaf01'] as const) {
        expect(ownedChecksum(await lab.admin[device].getConfig('/', { keepModulePrefixes: true }), rendered(device))).toBe(checksum(rendered(device)));
      }
      await lab.admin.leaf01.set({ update: [{ path: '/interface[name=ethernet-1/50]/admin-state', value: 'disable' }] });
      expect(ownedChecksum(await lab.admin.leaf01.getConfig('/', { keepModulePrefixes: true }), rendered('leaf01'))).not.toBe(checksum(rendered('leaf01')));
    });
  });
});
