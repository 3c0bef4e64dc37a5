import { z } from 'zod';
import { DeviceName, ManagedConfig, OwnershipScope } from './device';
import { DeviceDriftStatus } from './drift';

/**
 * The operator's look at one device (`synapse config intended|running|diff`):
 * read-only, through the workers that hold the credentials, so the CLI never
 * needs a device password or an Infrahub write token.
 */
export const ConfigView = z.enum(['intended', 'running', 'diff']);
export type ConfigView = z.infer<typeof ConfigView>;

export const ConfigViewRequest = z.object({
  device: DeviceName,
  view: ConfigView,
  /** The Infrahub branch the intent is read from (intended, diff); the default branch otherwise. */
  branch: z.string().min(1).optional(),
});
export type ConfigViewRequest = z.infer<typeof ConfigViewRequest>;

export const ReadRunningConfigInput = z.object({ device: DeviceName });
export type ReadRunningConfigInput = z.infer<typeof ReadRunningConfigInput>;

/** The device's running config (gNMI Get CONFIG at the root, module prefixes kept) and when it was read. */
export const ReadRunningConfigResult = z.object({
  device: DeviceName,
  config: z.unknown(),
  readAt: z.string().datetime({ offset: true }),
});
export type ReadRunningConfigResult = z.infer<typeof ReadRunningConfigResult>;

export const ConfigViewResult = z.discriminatedUnion('view', [
  z.object({ view: z.literal('intended'), device: DeviceName, branch: z.string().optional(), config: ManagedConfig, scope: OwnershipScope }),
  z.object({ view: z.literal('running'), device: DeviceName, config: z.unknown(), readAt: z.string() }),
  /** The drift check of one device: intended -> running on what Synapse owns, the same as a drift report's. */
  z.object({ view: z.literal('diff'), device: DeviceName, branch: z.string().optional(), status: DeviceDriftStatus }),
]);
export type ConfigViewResult = z.infer<typeof ConfigViewResult>;
