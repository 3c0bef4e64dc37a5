import type { ChildExit } from '../managed-child';

/**
 * Settings only the services that name them receive: device credentials,
 * inventory and transport (the device-worker), Infrahub's address and
 * credentials (the infrahub-worker), the Infrahub simulator's own logins.
 * They are taken out of the environment every child inherits, so a worker
 * compromised or dumping its environment holds only its own secrets.
 */
export const SCOPED_VARIABLES = [
  'SYNAPSE_DEVICE_USERNAME',
  'SYNAPSE_DEVICE_PASSWORD',
  'SYNAPSE_DEVICE_CREDENTIALS_FILE',
  'SYNAPSE_DEVICE_INVENTORY',
  'SYNAPSE_GNMI_TRANSPORT',
  'SYNAPSE_GNMI_CA_FILE',
  'INFRAHUB_ADDRESS',
  'INFRAHUB_API_TOKEN',
  'INFRAHUB_USERNAME',
  'INFRAHUB_PASSWORD',
  'INFRAHUB_SIM_TOKEN',
  'INFRAHUB_SIM_USERNAME',
  'INFRAHUB_SIM_PASSWORD',
] as const;

export type ScopedVariable = (typeof SCOPED_VARIABLES)[number];

/** What a service needs from the ones started before it. */
export interface StackContext {
  /**
   * Environment every child process gets: the parent's without the scoped
   * variables, plus what earlier services exported for all (TEMPORAL_ADDRESS…).
   */
  env: NodeJS.ProcessEnv;
  /**
   * The scoped variables: the operator's, then what earlier services exported
   * as scoped. A service passes on only those it names (scopedEnv).
   */
  scoped: Partial<Record<ScopedVariable, string>>;
}

export interface RunningService {
  name: string;
  /** Lines for the banner an engineer reads once everything is up. */
  banner: string[];
  /** Variables every later service gets (merged into StackContext.env). */
  exports: Record<string, string>;
  /** Variables only the later services that name them get (merged into StackContext.scoped). */
  scopedExports?: Partial<Record<ScopedVariable, string>>;
  /** Resolves when the service ends; before stop() that means it crashed. */
  exited: Promise<ChildExit>;
  stop(): Promise<void>;
}

/** One part of `npm start`: Temporal, the device simulator, later Infrahub and the workers. */
export interface StackService {
  name: string;
  start(context: StackContext): Promise<RunningService>;
}

/** The context the first service sees: the parent's environment, split. */
export function stackContext(parentEnv: NodeJS.ProcessEnv): StackContext {
  const env: NodeJS.ProcessEnv = { ...parentEnv };
  const scoped: StackContext['scoped'] = {};
  for (const name of SCOPED_VARIABLES) {
    const value = env[name];
    delete env[name];
    if (value !== undefined) scoped[name] = value;
  }
  return { env, scoped };
}

/** The named scoped variables that are set, for one child's environment. */
export function scopedEnv(context: StackContext, names: readonly ScopedVariable[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = context.scoped[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}
