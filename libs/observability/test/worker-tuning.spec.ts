import { ConfigError } from '@synapse/contracts';
import { activityWorkerTuning, DEVICE_WORKER_TUNING, INFRAHUB_WORKER_TUNING } from '../src';

describe('activityWorkerTuning', () => {
  it('gives each worker its own defaults when nothing is set', () => {
    expect(activityWorkerTuning(DEVICE_WORKER_TUNING, {})).toEqual({ maxConcurrentActivityTaskExecutions: 200, maxConcurrentActivityTaskPolls: 5 });
    expect(activityWorkerTuning(INFRAHUB_WORKER_TUNING, {})).toEqual({ maxConcurrentActivityTaskExecutions: 50, maxConcurrentActivityTaskPolls: 5 });
  });

  it('takes SYNAPSE_MAX_CONCURRENT_ACTIVITIES and SYNAPSE_ACTIVITY_POLLERS, never more pollers than slots', () => {
    expect(activityWorkerTuning(DEVICE_WORKER_TUNING, { SYNAPSE_MAX_CONCURRENT_ACTIVITIES: '500', SYNAPSE_ACTIVITY_POLLERS: '10' })).toEqual({
      maxConcurrentActivityTaskExecutions: 500,
      maxConcurrentActivityTaskPolls: 10,
    });
    expect(activityWorkerTuning(DEVICE_WORKER_TUNING, { SYNAPSE_MAX_CONCURRENT_ACTIVITIES: '2', SYNAPSE_ACTIVITY_POLLERS: '10' })).toEqual({
      maxConcurrentActivityTaskExecutions: 2,
      maxConcurrentActivityTaskPolls: 2,
    });
  });

  it('refuses a value that is not a whole number in range, naming the variable', () => {
    expect(() => activityWorkerTuning(DEVICE_WORKER_TUNING, { SYNAPSE_MAX_CONCURRENT_ACTIVITIES: 'lots' })).toThrow(ConfigError);
    expect(() => activityWorkerTuning(DEVICE_WORKER_TUNING, { SYNAPSE_ACTIVITY_POLLERS: '0' })).toThrow(/SYNAPSE_ACTIVITY_POLLERS must be a whole number from 1 to 100/);
  });
});
