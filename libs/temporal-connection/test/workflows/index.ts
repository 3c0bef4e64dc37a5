/**
 * A stand-in for a change: a device config goes in, a diff and the device's
 * refusal (an activity failure quoting the config) come back. Enough to put
 * config text into every place history keeps it: workflow input, activity
 * input and result, a failure message, the workflow result.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { createConfigActivities } from '../activities';

const { renderDiff, pushConfig } = proxyActivities<ReturnType<typeof createConfigActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 1 },
});

export interface ConfigChange {
  device: string;
  config: { interface: { name: string; mtu: number; description: string }[] };
}

export interface ConfigChangeResult {
  device: string;
  diff: string;
  refusal: string;
}

export async function configChangeWorkflow(change: ConfigChange): Promise<ConfigChangeResult> {
  const diff = await renderDiff(change);
  try {
    await pushConfig(change);
    throw ApplicationFailure.nonRetryable('the device accepted a config it should have refused');
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return { device: change.device, diff, refusal: err.cause?.message ?? '' };
  }
}
