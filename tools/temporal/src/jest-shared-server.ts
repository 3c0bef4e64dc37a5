import type { DevServer } from './dev-server';

/** Jest runs globalSetup and globalTeardown in one context: the server handle travels on globalThis. */
export const SHARED_SERVER_KEY = Symbol.for('synapse.temporal.jest-shared-server');

export type GlobalWithSharedServer = typeof globalThis & { [SHARED_SERVER_KEY]?: DevServer };
