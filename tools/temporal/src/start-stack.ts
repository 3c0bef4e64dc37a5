#!/usr/bin/env node
import { runStack } from './stack/run-stack';
import { STACK } from './stack/stack';

const RULE = '─'.repeat(72);

runStack(STACK, {
  onStarting(service) {
    console.log(`starting ${service.name}…`);
  },
  onReady(running) {
    const temporal = running.find((service) => service.exports.TEMPORAL_ADDRESS)?.exports.TEMPORAL_ADDRESS ?? 'localhost:7233';
    const tryIt = [
      'Try a change (in another terminal):',
      `  TEMPORAL_ADDRESS=${temporal} npx synapse change plan --device leaf01 --device spine01`,
      `  TEMPORAL_ADDRESS=${temporal} npx synapse change start --device leaf01 --device spine01 --reason "bring up the underlay" --no-approval --watch`,
      `  TEMPORAL_ADDRESS=${temporal} npx synapse change list`,
      '(this lab stack lets a change waive approval; production workers require one: SYNAPSE_REQUIRE_APPROVAL)',
    ];
    console.log(['', RULE, 'Synapse stack is up', RULE, ...running.flatMap((service) => service.banner), RULE, ...tryIt, RULE, 'Press Ctrl-C to stop everything.', ''].join('\n'));
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
