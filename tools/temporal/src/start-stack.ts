#!/usr/bin/env node
import { deviceSimService } from './stack/device-sim-service';
import { infrahubSimService } from './stack/infrahub-sim-service';
import { runStack } from './stack/run-stack';
import type { StackService } from './stack/stack-service';
import { temporalService } from './stack/temporal-service';
import { workerService } from './stack/worker-service';

/**
 * `npm start`: the whole stack on embedded defaults, in dependency order:
 * Temporal, the two simulators (the lab), then the three workers reading
 * what those exported.
 */
const STACK: readonly StackService[] = [
  temporalService(),
  deviceSimService(),
  infrahubSimService(),
  workerService('infrahub-worker'),
  workerService('device-worker'),
  workerService('workflow-worker'),
];

const RULE = '─'.repeat(72);

runStack(STACK, {
  onStarting(service) {
    console.log(`starting ${service.name}…`);
  },
  onReady(running) {
    console.log(['', RULE, 'Synapse stack is up', RULE, ...running.flatMap((service) => service.banner), RULE, 'Press Ctrl-C to stop everything.', ''].join('\n'));
  },
  onStopping(reason) {
    console.log(`\n${reason}`);
  },
}).then(
  (exitCode) => {
    console.log(exitCode === 0 ? 'stopped.' : 'stopped after a failure.');
    process.exit(exitCode);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
