#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './cli-error';
import { registerBackups } from './commands/backups';
import { registerChangeControls } from './commands/change-control';
import { registerChangeList } from './commands/change-list';
import { registerChangePlan } from './commands/change-plan';
import { registerChangeShow } from './commands/change-show';
import { registerChangeStart } from './commands/change-start';
import { registerChangeWatch } from './commands/change-watch';
import { registerConfig } from './commands/config';
import { registerDrift } from './commands/drift';
import { registerEmergency } from './commands/emergency';

/** `synapse`: the operator's entry point to network changes and their backups. */
export function buildProgram(): Command {
  const program = new Command('synapse')
    .description('Durable, auditable network changes on Temporal')
    .version(packageVersion(), '-V, --version')
    // Exit codes are the CLI's contract (cli-error.ts): commander must not exit on its own.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Environment:
  TEMPORAL_ADDRESS     Temporal frontend, host:port (default localhost:7233)
  TEMPORAL_NAMESPACE   namespace (default "default")
  TEMPORAL_UI_ADDRESS  Web UI base URL for links (default: frontend port + 1000 on loopback)
  TEMPORAL_TLS, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_CLIENT_CERT_PATH,
  TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_NAME
                       TLS and mTLS to a Temporal cluster
  TEMPORAL_API_KEY     API key (Temporal Cloud); implies TLS
  SYNAPSE_ENCRYPTION_KEYS_FILE, SYNAPSE_ENCRYPTION_KEYS, SYNAPSE_ENCRYPTION_KEY_ID
                       payload and backup encryption keys: the same as the workers'
  SYNAPSE_BACKUP_DIR   the device-worker's git backup store (default <workspace>/.data/backups)
  INFRAHUB_ADDRESS     Infrahub, where devices are checked before anything starts
                       (default http://localhost:8000); --skip-inventory-check skips it
  INFRAHUB_API_TOKEN, INFRAHUB_USERNAME, INFRAHUB_PASSWORD
                       a read-only account is enough (none: anonymous read)

Exit codes: 0 done (change succeeded or dry run), 1 a change did not succeed
(a device failed or was rolled back; stopped, aborted, rejected, expired),
2 bad input or a request the change refused (nothing started or done),
3 Temporal, git or the backup store unavailable.`,
    );
  const change = program.command('change').description('plan, start, approve, control, watch, show and list network changes');
  registerChangePlan(change);
  registerChangeStart(change);
  registerChangeControls(change);
  registerChangeWatch(change);
  registerChangeShow(change);
  registerChangeList(change);
  registerDrift(program);
  registerEmergency(program);
  registerConfig(program);
  registerBackups(program);
  return program;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * `synapse … | head -1`: once the reader has gone, what is left to print
 * has nowhere to go. End quietly, as Unix tools do, instead of dying on an
 * unhandled EPIPE (a started change runs on regardless: it is Temporal's).
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
  });
}

async function main(argv: string[]): Promise<void> {
  endQuietlyOnClosedPipe(process.stdout);
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has already printed the help or the usage error.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
    return EXIT.badInput;
  }
  if (err instanceof CliError) {
    process.stderr.write(`synapse: ${err.message}\n`);
    return err.exitCode;
  }
  // Not an error the CLI anticipated: the stack is what a bug report needs.
  process.stderr.write(`synapse: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.unavailable;
}

void main(process.argv);
