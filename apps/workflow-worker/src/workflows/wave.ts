import type { z } from 'zod';
import { allHandlersFinished, CancellationScope, condition, getExternalWorkflowHandle, setHandler, workflowInfo, setWorkflowOptions } from '@temporalio/workflow';
import { pinnedWhenVersioned } from './pinning';
import { mapWithConcurrency, WaveInput, type WaveDeviceOutcome, type WaveResult } from '@synapse/contracts';
import { parseWorkflowInput } from './failures';
import { fabricCheckedSignal, fabricCheckSignal, goSignal, stopWaveSignal, waveDeviceSettledSignal } from './rollout-signals';

/** Outcomes that spend the failure budget. A pre-empted or skipped device is not the change's failure. */
const FAILED = new Set(['failed', 'rolled-back', 'refused']);
/** Devices whose config after the wave is their target: ready far ends for the next waves. */
const DEPLOYED = new Set(['deployed', 'in-sync']);

/**
 * One wave of a rollout (`change/<id>/wave-N`; wave 0 is the canary):
 *
 *   1 its devices, `concurrency` at a time: each one's group is told to go,
 *     and the device's end comes back from it
 *   2 a device that fails or rolls back spends the failure budget; once the
 *     wave has more failures than the change has left, or the change asks it
 *     to stop (an abort), it starts no more devices; those already running
 *     finish
 *   3 the fabric check: every group reads what it deployed so far against
 *     baselines and the far ends now deployed; what is down comes back here
 *
 * Its history grows with its own devices only; the change sees its result.
 */
export async function WaveWorkflow(rawInput: z.input<typeof WaveInput>): Promise<WaveResult> {
  const input = parseWorkflowInput(WaveInput, rawInput, 'WaveWorkflow input');
  const { workflowId } = workflowInfo();
  const outcomes = new Map<string, WaveDeviceOutcome>();
  const fabricProblems = new Map<string, string[]>();
  const answered = new Set<string>();
  let stopped: string | undefined;
  let failures = 0;

  setHandler(waveDeviceSettledSignal, (outcome) => {
    if (!outcomes.has(outcome.device)) outcomes.set(outcome.device, outcome);
  });
  setHandler(stopWaveSignal, ({ reason }) => {
    stopped ??= reason;
  });
  setHandler(fabricCheckedSignal, ({ group, problems }) => {
    answered.add(group);
    for (const { device, problems: found } of problems) fabricProblems.set(device, found);
  });

  // 1 and 2. The devices, until the budget or an operator stops the wave.
  await mapWithConcurrency(input.devices, input.concurrency, async ({ device, group, checksum }) => {
    if (stopped) {
      outcomes.set(device, { device, outcome: 'skipped', reason: `not started: ${stopped}` });
      return;
    }
    await CancellationScope.nonCancellable(() =>
      getExternalWorkflowHandle(group).signal(goSignal, { device, wave: workflowId, index: input.index, notDeployed: input.notDeployed, ...(checksum ? { checksum } : {}) }),
    );
    await condition(() => outcomes.has(device));
    if (FAILED.has(outcomes.get(device)!.outcome)) {
      failures += 1;
      if (failures > input.failuresAllowed) {
        stopped ??= input.canary
          ? `the canary ${device} failed`
          : `the failure budget is spent: ${failures} device(s) failed in wave ${input.index}, ${input.failuresAllowed} more were allowed`;
      }
    }
  });

  // 3. The fabric check over every device changed so far.
  const notDeployed = [...input.notDeployed, ...input.devices.map((d) => d.device).filter((d) => !DEPLOYED.has(outcomes.get(d)?.outcome ?? ''))];
  for (const group of input.groups) {
    await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(group).signal(fabricCheckSignal, { wave: workflowId, index: input.index, notDeployed }));
  }
  await condition(() => answered.size >= input.groups.length);
  await condition(allHandlersFinished);

  return {
    index: input.index,
    devices: input.devices.map(({ device }) => outcomes.get(device)!),
    fabricProblems: [...fabricProblems].map(([device, problems]) => ({ device, problems })),
    ...(stopped ? { stopped } : {}),
  };
}

// Its waits (a time to live, a wave's soak, the rollout's hold) can outlast a deploy: it finishes on the build that began it.
setWorkflowOptions(pinnedWhenVersioned, WaveWorkflow);
