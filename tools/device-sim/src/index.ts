export { startDeviceSim, DEFAULT_CONVERGENCE_DELAY_MS, type SimOptions, type DeviceSim } from './simulator';
export { loadTopologyFile, validateTopology, TopologyError, type Topology, type TopologyDevice, type TopologyLink } from './topology';
export { referenceLabTopology, generateFabric, labTopology, managementBaseConfig, LAB_CREDENTIALS } from './lab';
export type { DeviceFaults } from './faults';
export { SUPPORTED_MODELS, MODULES } from './srl-model';
export { MAX_MESSAGE_BYTES } from './device';
export { GNMI_VERSION } from './gnmi-service';
export { MIN_SAMPLE_INTERVAL_MS } from './subscribe';
export { DEFAULT_ROLLBACK_MS } from './commit-confirmed';
