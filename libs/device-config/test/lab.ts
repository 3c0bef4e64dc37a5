import type { DeviceIntent, DeviceIntentInput } from '@synapse/contracts';
import { deviceIntent, referenceLab } from '@synapse/lab';

/** The reference lab's devices and their intents, as the source of truth (tools/lab) holds them. */
export const LAB_DEVICES = ['spine01', 'leaf01', 'leaf02'] as const;
export type LabDevice = (typeof LAB_DEVICES)[number];

export function labIntent(name: LabDevice): DeviceIntent {
  return deviceIntent(referenceLab(), name);
}

/** A deep copy to edit into a variant of a lab intent. */
export function editableIntent(name: LabDevice): DeviceIntentInput {
  return structuredClone(labIntent(name));
}
