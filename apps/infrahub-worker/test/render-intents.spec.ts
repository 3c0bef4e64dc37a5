/**
 * renderIntents against the Infrahub simulator: a drift batch's intents,
 * rendered, in the batch's order. A device Infrahub does not know is
 * answered with the reason (the run goes on without it); Infrahub itself
 * being down fails the batch as retryable.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { RenderIntentsInput, RenderIntentsResult } from '@synapse/contracts';
import { renderConfig } from '@synapse/device-config';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim } from '@synapse/infrahub-sim';
import { deviceIntent, referenceLab } from '@synapse/lab';
import { createInfrahubActivities } from '../src';

describe('renderIntents', () => {
  let sim: InfrahubSim;
  let infrahub: InfrahubClient;
  const env = new MockActivityEnvironment();

  beforeEach(async () => {
    sim = await startInfrahubSim({ lab: referenceLab(), port: 0 });
    infrahub = new InfrahubClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN, env: {}, retry: { maxAttempts: 1 } });
  });
  afterEach(async () => {
    infrahub.close();
    // One test stops the simulator itself.
    await sim.stop().catch(() => undefined);
  });

  const render = (input: RenderIntentsInput) => env.run(createInfrahubActivities({ infrahub }).renderIntents, input) as Promise<RenderIntentsResult>;

  it("renders each device's intent, in the batch's order, and answers an unknown device with the reason", async () => {
    const result = await render({ devices: ['spine01', 'nosuch01', 'leaf02'], concurrency: 2 });
    expect(result.devices.map((d) => d.device)).toEqual(['spine01', 'nosuch01', 'leaf02']);
    expect(result.devices[0]).toEqual({ device: 'spine01', config: renderConfig(deviceIntent(referenceLab(), 'spine01')) });
    expect(result.devices[2]).toEqual({ device: 'leaf02', config: renderConfig(deviceIntent(referenceLab(), 'leaf02')) });
    expect(result.devices[1]).toEqual({ device: 'nosuch01', problem: expect.stringMatching(/nosuch01.*\[IntentNotFound\]$/) });
  });

  it('fails the whole batch, retryable, when Infrahub is down', async () => {
    await sim.stop();
    const failure = await render({ devices: ['spine01'], concurrency: 1 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('InfrahubUnavailable');
    expect((failure as ApplicationFailure).nonRetryable).toBe(false);
  });

  it('refuses an empty batch at the boundary, naming the field', async () => {
    await expect(render({ devices: [] } as unknown as RenderIntentsInput)).rejects.toThrow(/renderIntents input: devices: at least one device/);
  });
});
