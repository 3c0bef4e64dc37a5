import { SynapseError } from '@synapse/contracts';
import type { Lab } from './lab-schema';
import { indexLab } from './topology-index';

/**
 * A freshly booted lab device before any change, in SR Linux JSON_IETF as a
 * backup would hold it: host name, the gNMI server, and management (mgmt0 in
 * the mgmt network-instance). No fabric interfaces, no BGP: those are what a
 * change deploys.
 */
export function managementBaseConfig(hostName: string): Record<string, unknown> {
  return {
    'srl_nokia-system:system': {
      'srl_nokia-system-name:name': { 'host-name': hostName },
      'srl_nokia-gnmi-server:gnmi-server': {
        'admin-state': 'enable',
        'network-instance': [{ name: 'mgmt', 'admin-state': 'enable' }],
      },
    },
    'srl_nokia-interfaces:interface': [
      {
        name: 'mgmt0',
        'admin-state': 'enable',
        subinterface: [{ index: 0, 'admin-state': 'enable', ipv4: { 'admin-state': 'enable' } }],
      },
    ],
    'srl_nokia-network-instance:network-instance': [
      {
        name: 'mgmt',
        type: 'srl_nokia-network-instance:ip-vrf',
        'admin-state': 'enable',
        description: 'Management network instance',
        interface: [{ name: 'mgmt0.0' }],
      },
    ],
  };
}

/** The pre-change config of one lab device. */
export function initialConfig(lab: Lab, name: string): Record<string, unknown> {
  if (!indexLab(lab).devices.has(name)) {
    throw new SynapseError('IntentNotFound', `lab "${lab.name}" has no device "${name}"`, { device: name, lab: lab.name });
  }
  return managementBaseConfig(name);
}
