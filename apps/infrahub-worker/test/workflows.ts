// Test-only workflow: the two infrahub activities through a real worker, with
// the production activity profile; the task queue comes from the test.
import { proxyActivities } from '@temporalio/workflow';
import { ACTIVITY_PROFILES, type FetchDeviceConfigResult, type InfrahubActivities, type RenderedIntent, type RenderIntentsResult, type UpdateDeviceStatusResult } from '@synapse/contracts';

export async function fetchAndRecord(input: {
  taskQueue: string;
  device: string;
  changeId: string;
}): Promise<{ fetched: FetchDeviceConfigResult; recorded: UpdateDeviceStatusResult }> {
  const infrahub = proxyActivities<InfrahubActivities>({ ...ACTIVITY_PROFILES.infrahub, taskQueue: input.taskQueue });
  const fetched = await infrahub.fetchDeviceConfig({ device: input.device });
  const recorded = await infrahub.updateDeviceStatus({ device: input.device, state: 'deploying', changeId: input.changeId });
  return { fetched, recorded };
}

export async function fetchUnknown(input: { taskQueue: string }): Promise<FetchDeviceConfigResult> {
  const infrahub = proxyActivities<InfrahubActivities>({ ...ACTIVITY_PROFILES.infrahub, taskQueue: input.taskQueue });
  return infrahub.fetchDeviceConfig({ device: 'no-such-device' });
}

/** Both ways a rendered config travels by reference: one device for a change, a batch for drift or a rollout's plan. */
export async function renderByReference(input: { taskQueue: string; device: string }): Promise<{ rendered: RenderedIntent; batch: RenderIntentsResult }> {
  const infrahub = proxyActivities<InfrahubActivities>({ ...ACTIVITY_PROFILES.infrahub, taskQueue: input.taskQueue });
  const rendered = await infrahub.renderDeviceIntent({ device: input.device });
  const batch = await infrahub.renderIntents({ devices: [input.device], byReference: true });
  return { rendered, batch };
}
