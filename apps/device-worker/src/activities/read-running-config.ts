import type { z } from 'zod';
import { parseInput, ReadRunningConfigInput, type ReadRunningConfigResult } from '@synapse/contracts';
import { progressHeartbeat } from '@synapse/observability';
import type { ActivityRuntime } from './deps';

/**
 * One device's whole running config, for the operator (`synapse config
 * running`): the same Get a backup takes, but nothing is stored. The CLI asks
 * through this worker so that device credentials stay here. A device that
 * cannot be read fails the activity with its typed error: the operator asked
 * about this one device and should hear why.
 */
export function readRunningConfig(runtime: ActivityRuntime) {
  return async (input: z.input<typeof ReadRunningConfigInput>): Promise<ReadRunningConfigResult> => {
    const { device } = parseInput(ReadRunningConfigInput, input, 'readRunningConfig input');
    // Heartbeats while a large config streams in, like a backup's Get.
    const config = await progressHeartbeat(runtime.settings.heartbeatIntervalMs, { device }).during(() =>
      runtime.withDevice(device, async (client) => (await client.getConfig('/', { keepModulePrefixes: true })) ?? {}),
    );
    return { device, config, readAt: runtime.clock().toISOString() };
  };
}
