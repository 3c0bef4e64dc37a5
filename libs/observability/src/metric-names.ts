/**
 * The product metrics, named once. Workflow and activity interceptors record
 * them through the SDK's metric meters, so they appear on the same /metrics
 * endpoint as the SDK's own `temporal_*` metrics (the SDK's prefix is not
 * applied to metrics created through a meter). The SDK adds its own labels
 * too: namespace, taskQueue, and workflowType or activityType.
 *
 * This file is loaded inside the workflow sandbox: no imports, no I/O.
 */
export const PRODUCT_METRICS = {
  changesStarted: {
    name: 'synapse_changes_started_total',
    description: 'Changes started, by kind (standard, emergency, drift-remediation)',
  },
  changesFinished: {
    name: 'synapse_changes_finished_total',
    description: 'Changes finished, by kind and outcome (the result outcome; failed when the workflow failed, cancelled when cancelled)',
  },
  deviceChanges: {
    name: 'synapse_device_changes_total',
    description: 'Per-device changes finished, by kind and outcome (deployed, in-sync, rolled-back, failed, ...)',
  },
  driftDevicesFound: {
    name: 'synapse_drift_devices_found_total',
    description: 'Devices found drifted by drift checks',
  },
  driftDevicesChecked: {
    name: 'synapse_drift_devices_checked_total',
    description: 'Devices checked for drift, by status (in-sync, drifted, unreachable)',
  },
  validationDuration: {
    name: 'synapse_validation_duration_seconds',
    description: 'Duration of post-change validations, by check (bgp, interfaces) and outcome (passed, failed, error, cancelled)',
    /** Validations wait for BGP to settle: seconds to minutes. */
    buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
  },
  gnmiErrors: {
    name: 'synapse_gnmi_errors_total',
    description: 'gNMI calls that failed a device activity, by gRPC status code, error type and gNMI RPC (operation)',
  },
} as const;

/** Workflow types that are changes, and the kind each counts as. */
export const CHANGE_WORKFLOW_KINDS: Readonly<Record<string, string>> = {
  NetworkChangeWorkflow: 'standard',
  EmergencyChangeWorkflow: 'emergency',
  DriftRemediationWorkflow: 'drift-remediation',
};

/** The per-device child workflow; its kind comes from its input. */
export const DEVICE_CHANGE_WORKFLOW = 'DeviceChangeWorkflow';

/** Activities whose duration is a validation, and the check label each records. */
export const VALIDATION_ACTIVITY_CHECKS: Readonly<Record<string, string>> = {
  validateBgp: 'bgp',
  validateInterfaces: 'interfaces',
};

/** The activity that validates BGP and interfaces together (then confirms): each check is recorded with its own settle time. */
export const COMBINED_VALIDATION_ACTIVITY = { activityType: 'validateAndConfirm', checks: { bgp: 'bgp', interfaces: 'interfaces' } } as const;

export const DRIFT_CHECK_ACTIVITY = 'checkDrift';
