import { SynapseError } from '@synapse/contracts';
import type { Lab } from './lab-schema';
import { brownfieldConfig } from './brownfield';
import { indexLab } from './topology-index';

/**
 * A freshly booted lab device before any change, in SR Linux 25.3 JSON_IETF
 * as a backup would hold it: host name, the gNMI server, and management (mgmt0
 * in the mgmt network-instance). No fabric interfaces, no BGP: those are what
 * a change deploys. Since 24.3 the gNMI server is an entry of srl_nokia-grpc's
 * `grpc-server` list (srl_nokia-gnmi-server's `gnmi-server` is gone); its
 * services are identities, written module-qualified as a device returns them.
 */
export function managementBaseConfig(hostName: string): Record<string, unknown> {
  return {
    'srl_nokia-system:system': {
      'srl_nokia-system-name:name': { 'host-name': hostName },
      'srl_nokia-grpc:grpc-server': [
        {
          name: 'mgmt',
          'admin-state': 'enable',
          'network-instance': 'mgmt',
          port: 57400,
          services: ['srl_nokia-grpc:gnmi'],
        },
      ],
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

/** The pre-change config of one lab device: management only, or a brownfield device's whole config. */
export function initialConfig(lab: Lab, name: string): Record<string, unknown> {
  if (!indexLab(lab).devices.has(name)) {
    throw new SynapseError('IntentNotFound', `lab "${lab.name}" has no device "${name}"`, { device: name, lab: lab.name });
  }
  return lab.initialState === 'brownfield' ? brownfieldConfig(lab, name) : managementBaseConfig(name);
}
