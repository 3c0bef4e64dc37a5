import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { ConfigViewRequest, RenderIntentsResult, type ConfigViewResult } from '@synapse/contracts';
import { ActivityRouting, changeActivities, type ActivityRoutingInput } from './activities';
import { parseWorkflowInput } from './failures';

/**
 * The operator's look at one device, changing nothing:
 *
 *   intended  renderIntents (infrahub worker): the config Synapse would deploy
 *   running   readRunningConfig (device worker): what the device has now
 *   diff      both, compared on what Synapse owns (checkDrift, the drift
 *             report's check): intended -> running
 *
 * A workflow, not a CLI-side read, because the credentials live with the
 * workers: the CLI only ever talks to Temporal.
 */
export async function ConfigViewWorkflow(rawRequest: z.input<typeof ConfigViewRequest>, rawRouting: ActivityRoutingInput = {}): Promise<ConfigViewResult> {
  const request = parseWorkflowInput(ConfigViewRequest, rawRequest, 'ConfigViewWorkflow input');
  const routing = parseWorkflowInput(ActivityRouting, rawRouting, 'ConfigViewWorkflow routing');
  const { infrahub, deviceRead, deviceScan } = changeActivities(routing);
  const { device, view, branch } = request;

  if (view === 'running') {
    const running = await deviceRead.readRunningConfig({ device });
    return { view, device, config: running.config, readAt: running.readAt };
  }

  const rendered = parseWorkflowInput(RenderIntentsResult, await infrahub.renderIntents({ devices: [device], concurrency: 1, ...(branch ? { branch } : {}) }), 'renderIntents result');
  const [intent] = rendered.devices;
  if (!intent || 'problem' in intent || !intent.config) {
    const problem = intent && 'problem' in intent ? intent.problem : 'Infrahub returned nothing';
    throw ApplicationFailure.nonRetryable(`no intended config for ${device}: ${problem}`, 'IntentNotFound');
  }
  if (view === 'intended') return { view, device, ...(branch ? { branch } : {}), config: intent.config, scope: intent.scope };

  const checked = await deviceScan.checkDrift({ devices: [{ device, config: intent.config, scope: intent.scope }], concurrency: 1 });
  const [status] = checked.devices;
  if (!status) throw ApplicationFailure.nonRetryable(`the drift check of ${device} answered nothing`, 'InvalidInput');
  return { view, device, ...(branch ? { branch } : {}), status };
}
