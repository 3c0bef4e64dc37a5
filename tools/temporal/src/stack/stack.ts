import { deviceSimService } from './device-sim-service';
import { infrahubSimService } from './infrahub-sim-service';
import type { StackService } from './stack-service';
import { temporalService } from './temporal-service';
import { workerService } from './worker-service';

/**
 * The whole stack on embedded defaults, in dependency order: Temporal, the
 * two simulators (the lab), then the three workers reading what those
 * exported. `npm start` keeps it up; `npm run demo` runs one change on it.
 */
export const STACK: readonly StackService[] = [
  temporalService(),
  deviceSimService(),
  infrahubSimService(),
  workerService('infrahub-worker'),
  workerService('device-worker'),
  workerService('workflow-worker'),
];
