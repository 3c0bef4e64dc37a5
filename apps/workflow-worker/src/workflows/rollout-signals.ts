import { defineQuery, defineSignal, defineUpdate, proxyLocalActivities } from '@temporalio/workflow';
import {
  QUERIES,
  UPDATES,
  type AbortRequestInput,
  type ApprovalDecisionInput,
  type ApprovalPolicy,
  type DeviceFacts,
  type DeviceOutcome,
  type DevicePlan,
  type WaveDeviceOutcome,
  type DeviceStates,
  type OperatorActionInput,
  type PeerReadiness,
  type RolloutProgress,
} from '@synapse/contracts';

/**
 * How a rollout's workflows talk. The chain for one device is always
 * wave -> group -> device and back (a group is the device workflows' parent
 * and knows which are still there), so no history grows with the fleet: the
 * change holds a few events per group and per wave, a wave a few per device
 * of that wave, a group a few per device of that group.
 */

// ── the change (NetworkChangeWorkflow) ──

export const rolloutProgressQuery = defineQuery<RolloutProgress>(QUERIES.progress);
export const approveUpdate = defineUpdate<RolloutProgress, [ApprovalDecisionInput]>(UPDATES.approve);
export const rejectUpdate = defineUpdate<RolloutProgress, [ApprovalDecisionInput]>(UPDATES.reject);
export const pauseUpdate = defineUpdate<RolloutProgress, [OperatorActionInput]>(UPDATES.pause);
export const resumeUpdate = defineUpdate<RolloutProgress, [OperatorActionInput]>(UPDATES.resume);
export const abortUpdate = defineUpdate<RolloutProgress, [AbortRequestInput]>(UPDATES.abort);

/** Plans of the change (the `plan` query): what the approver approves. */
export const planQuery = defineQuery<DevicePlan[]>(QUERIES.plan);

/** A group took every lock of its devices, or could not take one within the lock timeout. */
export interface GroupLockReport {
  group: string;
  locked: boolean;
  /** The device it could not take, and who holds it. */
  busy?: { device: string; holder: string };
  /** Devices it is still waiting for, while it waits. */
  waiting?: Array<{ device: string; holder: string }>;
}
export const groupLockSignal = defineSignal<[GroupLockReport]>('groupLock');

// ── a group (DeviceGroupWorkflow) ──

/**
 * From a wave (its workflow id, its index): start this device's runbook.
 * `notDeployed`: devices of earlier waves that do not run their target
 * (failed, rolled back): far ends that are not ready. `checksum`: a
 * re-planned device's new plan.
 */
export const goSignal = defineSignal<[{ device: string; wave: string; index: number; notDeployed: string[]; checksum?: string }]>('go');
/** From a wave, after its devices settled: check every device of the group deployed so far; answer the wave. */
export const fabricCheckSignal = defineSignal<[{ wave: string; index: number; notDeployed: string[] }]>('fabricCheck');
/** From the change: end every member; roll back what it deployed when asked. */
export const finishSignal = defineSignal<[{ rollback: boolean; reason: string }]>('finish');

/** From a member device workflow: its runbook's end. */
export interface DeviceSettled {
  device: string;
  outcome: DeviceOutcome | 'intent-changed';
  reason?: string;
  /** Deployed and confirmed: it now holds the device for the rollout. */
  deployed: boolean;
  /** What the fabric check compares against later. */
  facts?: DeviceFacts;
  baseline?: Pick<DeviceStates, 'sessions' | 'interfaces'>;
  removedNeighbors?: string[];
  /** The checksum of the intent it found, when it differs from the plan's. */
  checksum?: string;
}
export const deviceSettledSignal = defineSignal<[DeviceSettled]>('deviceSettled');

// ── a wave (WaveWorkflow) ──

export const waveDeviceSettledSignal = defineSignal<[WaveDeviceOutcome]>('waveDeviceSettled');
export const fabricCheckedSignal = defineSignal<[{ group: string; problems: Array<{ device: string; problems: string[] }> }]>('fabricChecked');
/** From the change: an operator aborted; start no more devices. */
export const stopWaveSignal = defineSignal<[{ reason: string }]>('stopWave');

// ── a member device workflow (DeviceChangeWorkflow with member: true) ──

/** From its group: run the runbook against this plan, with the far ends where they are. */
export const memberGoSignal = defineSignal<[{ plannedChecksum?: string; readiness: PeerReadiness; wave: number }]>('memberGo');
/** From its group: the rollout is over for this device. */
export const memberFinishSignal = defineSignal<[{ rollback: boolean; reason: string }]>('memberFinish');

// ── the workflow worker's own policy, read once per change (a local activity: workflows cannot read the environment) ──

export interface WorkflowWorkerLocalActivities {
  approvalPolicy(): Promise<ApprovalPolicy>;
  /** The activity queues beyond contracts' own a workflow may be routed to (SYNAPSE_ACTIVITY_TASK_QUEUES). */
  allowedActivityQueues(): Promise<string[]>;
}

export function localActivities() {
  return proxyLocalActivities<WorkflowWorkerLocalActivities>({ startToCloseTimeout: '10 seconds' });
}
