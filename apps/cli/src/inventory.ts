import { Option, type Command } from 'commander';
import { isSynapseError } from '@synapse/contracts';
import { InfrahubClient } from '@synapse/infrahub-client';
import { badInput, errorMessage, unavailable } from './cli-error';

/** Where the CLI looks when INFRAHUB_ADDRESS is not set: Infrahub's own default, as its SDK and `npm start` use. */
export const DEFAULT_INFRAHUB_ADDRESS = 'http://localhost:8000';

/** An operator waits for this check; a slow or dead Infrahub is named within seconds, not after the workers' minutes of retries. */
const CHECK_TIMEOUT_SECONDS = 5;

export interface InventoryCheck {
  /** The devices the command names, in the order given. */
  devices: readonly string[];
  /** The flag they came from, for the message (`--device`, `--scope`). */
  flag: string;
  /** The Infrahub branch the command reads its intent from. */
  branch?: string;
}

/**
 * Refuses, before anything is started, a command naming a device Infrahub
 * does not know: one query for all of them (the source of truth decides
 * what exists, as the workflow would, minutes later and with a failed
 * change left behind). Reads with INFRAHUB_ADDRESS and, when set,
 * INFRAHUB_API_TOKEN or INFRAHUB_USERNAME/INFRAHUB_PASSWORD: a read-only
 * account is enough, and Infrahub serves anonymous reads by default.
 */
export async function checkDevicesExist(check: InventoryCheck, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (check.devices.length === 0) return;
  const address = env.INFRAHUB_ADDRESS?.trim() || DEFAULT_INFRAHUB_ADDRESS;
  let client: InfrahubClient;
  try {
    client = new InfrahubClient({ env: { ...env, INFRAHUB_ADDRESS: address }, timeoutSeconds: CHECK_TIMEOUT_SECONDS, retry: { maxAttempts: 2 } });
  } catch (err) {
    if (isSynapseError(err, 'InvalidInput')) throw badInput(`bad Infrahub settings for the device check: ${err.message}`);
    throw err;
  }
  const on = check.branch ? ` (branch ${check.branch})` : '';
  let known: Set<string>;
  try {
    const found = await client.listDevices({ names: [...new Set(check.devices)], ...(check.branch ? { branch: check.branch } : {}) });
    known = new Set(found.map((device) => device.name));
  } catch (err) {
    if (isSynapseError(err, 'BranchNotFound')) throw badInput(`--branch: Infrahub has no branch "${check.branch}"; nothing was started`);
    const why = isSynapseError(err) ? `${err.message} [${err.type}]` : errorMessage(err);
    throw unavailable(
      `could not check ${check.flag} against Infrahub at ${address}${on}: ${why}. Set INFRAHUB_ADDRESS (and INFRAHUB_API_TOKEN when Infrahub wants one), or add --skip-inventory-check to leave the check to the change; nothing was started`,
      err,
    );
  } finally {
    client.close();
  }
  const unknown = check.devices.filter((device) => !known.has(device));
  if (unknown.length > 0) {
    const names = unknown.map((name) => `"${name}"`).join(', ');
    throw badInput(`${check.flag}: Infrahub at ${address}${on} has no device ${names}; nothing was started`);
  }
}

/** Every command that names devices for a workflow offers the way out for a CLI host that cannot reach Infrahub. */
export function addInventoryCheckOption(command: Command): Command {
  return command.addOption(
    new Option('--skip-inventory-check', 'do not check the devices against Infrahub before starting (the change still refuses unknown ones, later)'),
  );
}

export async function checkInventory(options: Record<string, unknown>, check: InventoryCheck): Promise<void> {
  if (options.skipInventoryCheck === true) return;
  await checkDevicesExist(check);
}
