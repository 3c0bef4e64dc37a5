import type { ChildExit } from '../managed-child';

/** What a service needs from the ones started before it. */
export interface StackContext {
  /**
   * Environment for child processes: the parent's, plus what earlier
   * services exported (TEMPORAL_ADDRESS…). Workers added later read their
   * settings from here exactly as they would in production.
   */
  env: NodeJS.ProcessEnv;
}

export interface RunningService {
  name: string;
  /** Lines for the banner an engineer reads once everything is up. */
  banner: string[];
  /** Variables later services need (merged into StackContext.env). */
  exports: Record<string, string>;
  /** Resolves when the service ends; before stop() that means it crashed. */
  exited: Promise<ChildExit>;
  stop(): Promise<void>;
}

/** One part of `npm start`: Temporal, the device simulator, later Infrahub and the workers. */
export interface StackService {
  name: string;
  start(context: StackContext): Promise<RunningService>;
}
