// The workflow bundle's entry: every export here is registered as a workflow
// type, so export the workflows and nothing else. Type names are contracts'
// WORKFLOW_TYPES.
export { NetworkChangeWorkflow } from './network-change';
export { DeviceChangeWorkflow } from './device-change';
export { DriftRemediationWorkflow } from './drift-remediation';
export { EmergencyChangeWorkflow } from './emergency-change';
export { DriftBatchWorkflow } from './drift-batch';
export { PlanBatchWorkflow } from './plan-batch';
export { DeviceGroupWorkflow } from './device-group';
export { WaveWorkflow } from './wave';
export { RecordOutcomeWorkflow } from './record-outcome';
export { ConfigViewWorkflow } from './config-view';
