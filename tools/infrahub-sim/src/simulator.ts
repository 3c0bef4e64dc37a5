import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseInput } from '@synapse/contracts';
import { Lab, referenceLab } from '@synapse/lab';
import type { GraphQLSchema } from 'graphql';
import { z } from 'zod';
import { AuthService } from './auth/auth-service';
import { newId } from './data/ids';
import { DEFAULT_BRANCH, SimStore } from './data/sim-store';
import type { BranchInfo } from './data/store';
import { Faults } from './faults';
import { buildGraphqlSchema } from './graphql/build-schema';
import { createRequestHandler } from './http/router';
import { simulatorSchema, SYNAPSE_EXTENSION_PATH } from './schema/load-schema';

/**
 * Lab-only defaults, the same as Infrahub's demo environment: the API token
 * its docs use and the `admin` / `infrahub` login. Never use them elsewhere.
 */
export const DEFAULT_LAB_API_TOKEN = '06438eb2-8019-4776-878c-0941b1f1d1ec';
export const DEFAULT_LAB_USER = { username: 'admin', password: 'infrahub' } as const;

const TokenSpec = z.union([z.string().min(1), z.object({ token: z.string().min(1), account: z.string().min(1).optional(), readOnly: z.boolean().optional() }).strict()]);

export const InfrahubSimOptions = z
  .object({
    /** What the simulator serves; the reference lab when absent. */
    lab: z.custom<Lab>((value) => Lab.safeParse(value).success, 'not a valid lab (parse it with @synapse/lab first)').optional(),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(0),
    tokens: z.array(TokenSpec).default([DEFAULT_LAB_API_TOKEN]),
    users: z
      .array(z.object({ username: z.string().min(1), password: z.string().min(1), readOnly: z.boolean().optional() }).strict())
      .default([{ ...DEFAULT_LAB_USER }]),
    /** Infrahub's default is 3600 s; tests shorten it to see "Expired Signature". Fractions allowed. */
    accessTokenTtlSeconds: z.number().positive().default(3600),
    refreshTokenTtlSeconds: z.number().positive().default(2_592_000),
    allowAnonymousRead: z.boolean().default(false),
    /** The schema extension file served beside the library subset. */
    extensionSchemaPath: z.string().min(1).default(SYNAPSE_EXTENSION_PATH),
  })
  .strict();
export type InfrahubSimOptions = z.input<typeof InfrahubSimOptions>;

export interface InfrahubSim {
  /** `http://127.0.0.1:<port>`: what INFRAHUB_ADDRESS should be. */
  address: string;
  faults: Faults;
  branches(): BranchInfo[];
  /** The executable GraphQL schema, for tests that want to check a query offline. */
  graphqlSchema: GraphQLSchema;
  stop(): Promise<void>;
}

export async function startInfrahubSim(input: InfrahubSimOptions = {}): Promise<InfrahubSim> {
  const options = parseInput(InfrahubSimOptions, input, 'startInfrahubSim options');
  const model = simulatorSchema(options.extensionSchemaPath);
  const deploymentId = newId();
  const store = new SimStore(model, options.lab ?? referenceLab(), new Date().toISOString());
  const graphqlSchema = buildGraphqlSchema(model, deploymentId);
  const faults = new Faults();
  const auth = new AuthService({
    tokens: options.tokens,
    users: options.users,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds,
    allowAnonymousRead: options.allowAnonymousRead,
  });
  const server: Server = createServer(createRequestHandler({ schema: graphqlSchema, store, auth, faults, deploymentId, allowAnonymousRead: options.allowAnonymousRead }));
  // Clients keep connections alive; stop() must not wait for them to go idle.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    address: `http://${host}:${port}`,
    faults,
    graphqlSchema,
    branches: () => store.branches(),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export { DEFAULT_BRANCH };
