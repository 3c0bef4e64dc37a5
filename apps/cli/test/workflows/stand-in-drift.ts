/**
 * A stand-in DriftRemediationWorkflow for the CLI's tests: the real one's
 * contract (DriftRequest in, DriftReport out, the `progress` query) with no
 * activities. Behaviour is chosen by the request:
 *  - a device whose name contains `drifted` is reported drifted, with one path
 *    and two unmanaged ones (named with listUnmanaged);
 *  - a reason containing `[hold-ms=N]` keeps the run going N ms before it reports.
 * Like the real one it carries SynapseChangeId (its drift id), SynapseChangeKind
 * and SynapseRequester, and remediates at most maxRemediations devices (its
 * rollout, `change/<drift id>`, is left out: the change stand-in covers that path).
 */
import { ApplicationFailure, defineQuery, setHandler, sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { DriftRequest, QUERIES, SEARCH_ATTRIBUTES, type DeviceDriftState, type DeviceDriftStatus, type DriftReport } from '@synapse/contracts';

export const driftProgressQuery = defineQuery<DriftReport>(QUERIES.progress);

export async function DriftRemediationWorkflow(input: unknown): Promise<DriftReport> {
  const parsed = DriftRequest.safeParse(input);
  if (!parsed.success) throw ApplicationFailure.create({ type: 'InvalidInput', message: parsed.error.message, nonRetryable: true });
  const request = parsed.data;
  const driftId = request.driftId ?? workflowInfo().workflowId.replace(/[^A-Za-z0-9._:-]+/g, '-');
  upsertSearchAttributes([
    { key: defineSearchAttributeKey(SEARCH_ATTRIBUTES.changeId.name, SearchAttributeType.KEYWORD), value: driftId },
    { key: defineSearchAttributeKey(SEARCH_ATTRIBUTES.changeKind.name, SearchAttributeType.KEYWORD), value: 'drift-remediation' },
    { key: defineSearchAttributeKey(SEARCH_ATTRIBUTES.requester.name, SearchAttributeType.KEYWORD), value: request.requester },
  ]);
  const names = request.scope.kind === 'devices' ? request.scope.devices : ['leaf01', 'leaf02'];
  const devices: DeviceDriftStatus[] = [];
  const report = (): DriftReport => {
    const counts: Record<DeviceDriftState, number> = { 'in-sync': 0, drifted: 0, unreachable: 0, unchecked: 0, suppressed: 0, remediated: 0, 'remediation-failed': 0 };
    for (const d of devices) counts[d.status] += 1;
    return { driftId, mode: request.mode, scope: request.scope, devices, counts };
  };
  setHandler(driftProgressQuery, report);
  const hold = /\[hold-ms=(\d+)\]/.exec(request.reason);
  if (hold) await sleep(Number(hold[1]));
  let remediations = 0;
  for (const device of names) {
    if (!device.includes('drifted')) {
      devices.push({ device, status: 'in-sync', drifted: [] });
    } else if (request.mode === 'remediate' && remediations++ < request.maxRemediations) {
      devices.push({ device, status: 'remediated', drifted: [{ path: '/interface[name=ethernet-1/1]/mtu', before: 9214, after: 1500 }], summary: '1 changed, 0 added, 0 removed' });
    } else {
      devices.push({
        device,
        status: 'drifted',
        // As the real check reports them: intended (before) and running (after); a missing interface is a whole subtree.
        drifted: [
          { path: '/interface[name=ethernet-1/1]/mtu', before: 9214, after: 1500 },
          { path: '/interface[name=ethernet-1/5]', before: { description: 'to spine02', 'admin-state': 'enable', subinterface: [{ index: 0 }] } },
        ],
        counts: { added: 1, changed: 1, removed: 0 },
        // The deploy's own line, which reads running -> intended: the report must not print it.
        summary: '1 changed, 1 added, 0 removed: /interface[name=ethernet-1/1]/mtu 1500 -> 9214, + /interface[name=ethernet-1/5]',
        ...(request.mode === 'remediate' ? { detail: `not remediated in this run: more than maxRemediations (${request.maxRemediations}) devices drifted; the next run takes it` } : {}),
        // As the real check reports config Synapse does not own: always counted, named on request.
        unmanaged: { count: 2, paths: request.listUnmanaged ? ['/acl', '/interface[name=lag1]'] : [] },
      });
    }
  }
  return report();
}
