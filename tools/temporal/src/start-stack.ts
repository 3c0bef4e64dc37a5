#!/usr/bin/env node
/**
 * `npm start [-- --fresh]`: the whole stack on embedded defaults until a
 * stop signal (SIGINT, SIGTERM, SIGHUP) or until whoever launched it goes
 * away; every part it started stops with it.
 */
import { isPortFree, LOOPBACK } from './free-port';
import { watchLauncher } from './launcher-watch';
import { runStack } from './stack/run-stack';
import { STACK } from './stack/stack';
import { resetStackData, shownPath, stackData } from './stack/stack-data';
import { temporalStackFromEnv } from './stack/temporal-service';

const RULE = '─'.repeat(72);

const USAGE = `usage: npm start [-- --fresh]

  --fresh   start from nothing: remove the simulated devices' saved configs, Temporal's
            database and the backup store (under .data/, or SYNAPSE_STACK_DATA_DIR) first.
            Without it all three persist from one start to the next.

  TEMPORAL_STACK=postgres runs Temporal Server on a PostgreSQL cluster of its own
  (.data/temporal/postgres) instead of the CLI's dev server (TEMPORAL_STACK=dev, the default).`;

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--fresh');
  if (unknown.length > 0) {
    const help = unknown.includes('--help') || unknown.includes('-h');
    (help ? console.log : console.error)(`${help ? '' : `unknown argument "${unknown[0]}"\n`}${USAGE}`);
    return help ? 0 : 2;
  }
  // Checked before --fresh removes anything or any service starts.
  try {
    temporalStackFromEnv(process.env);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (argv.includes('--fresh') && !(await startFresh())) return 1;

  // Whoever started us may go without a signal reaching us (npm killed by SIGHUP or SIGKILL,
  // the process that ran `npm start` killed): then stop as for Ctrl-C.
  const launcher = watchLauncher();
  try {
    const exitCode = await runStack(
      STACK,
      {
        onStarting(service) {
          console.log(`starting ${service.name}…`);
        },
        onReady(running) {
          const temporal = running.find((service) => service.exports.TEMPORAL_ADDRESS)?.exports.TEMPORAL_ADDRESS ?? 'localhost:7233';
          // The CLI checks devices against Infrahub before it starts anything: tell it where the simulator is.
          const infrahub = running.find((service) => service.scopedExports?.INFRAHUB_ADDRESS)?.scopedExports?.INFRAHUB_ADDRESS;
          const env = `TEMPORAL_ADDRESS=${temporal}${infrahub ? ` INFRAHUB_ADDRESS=${infrahub}` : ''}`;
          const tryIt = [
            'Try a change (in another terminal):',
            `  ${env} npx synapse change plan --device leaf01 --device spine01`,
            `  ${env} npx synapse change start --device leaf01 --device spine01 --reason "bring up the underlay" --no-approval --watch`,
            `  ${env} npx synapse change list`,
            `  ${env} npx synapse config diff leaf01`,
            '(this lab stack lets a change waive approval; production workers require one: SYNAPSE_REQUIRE_APPROVAL)',
          ];
          console.log(['', RULE, 'Synapse stack is up', RULE, ...running.flatMap((service) => service.banner), RULE, ...tryIt, RULE, 'Press Ctrl-C to stop everything.', ''].join('\n'));
        },
        onStopping(reason) {
          console.log(`\n${reason}`);
        },
      },
      { stopWhen: launcher.gone },
    );
    console.log(exitCode === 0 ? 'stopped.' : 'stopped after a failure.');
    return exitCode;
  } finally {
    launcher.stop();
  }
}

/** Removes the stack's state, unless a stack is still running on it. */
async function startFresh(): Promise<boolean> {
  const data = stackData(process.env);
  const port = Number(process.env.TEMPORAL_PORT || 7233);
  if (Number.isInteger(port) && !(await isPortFree(port))) {
    console.error(`--fresh: port ${port} on ${LOOPBACK} is in use — is \`npm start\` still running? Stop it first; nothing was removed.`);
    return false;
  }
  const { removed, keptOutside } = resetStackData(data);
  console.log(removed.length > 0 ? `--fresh: removed ${removed.map(shownPath).join(', ')}` : '--fresh: nothing to remove, the stack had no saved state');
  for (const kept of keptOutside) console.log(`--fresh: kept ${kept}`);
  return true;
}

// A closed terminal or a dead launcher takes our stdout with it; stopping must go on regardless.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

main(process.argv.slice(2)).then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
