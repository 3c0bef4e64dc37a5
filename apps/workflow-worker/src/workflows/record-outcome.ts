import type { z } from 'zod';
import { UpdateDeviceStatusInput } from '@synapse/contracts';
import { ActivityRouting, changeActivities, type ActivityRoutingInput } from './activities';
import { parseWorkflowInput } from './failures';

/**
 * The Infrahub record of a device workflow that had to let go of its device
 * first (an emergency pre-empted it), id `record/<change>/<device>`. Started
 * abandoned, so it outlives that workflow, and keeps trying for a day
 * (ACTIVITY_PROFILES.infrahubAudit) through an Infrahub or worker outage.
 */
export async function RecordOutcomeWorkflow(rawInput: z.input<typeof UpdateDeviceStatusInput>, rawRouting: ActivityRoutingInput = {}): Promise<void> {
  const input = parseWorkflowInput(UpdateDeviceStatusInput, rawInput, 'RecordOutcomeWorkflow input');
  const routing = parseWorkflowInput(ActivityRouting, rawRouting, 'RecordOutcomeWorkflow routing');
  await changeActivities(routing).infrahubAudit.updateDeviceStatus(input);
}
