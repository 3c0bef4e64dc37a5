import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORKSPACE_ROOT } from '../workspace-paths';
import { startJsonLineChild } from './json-line-child';
import { stackLab } from './lab-file';
import { scopedEnv, type StackService } from './stack-service';

export const INFRAHUB_SIM_ENTRY = path.join(WORKSPACE_ROOT, 'tools', 'infrahub-sim', 'dist', 'main.js');

/**
 * Infrahub's documented demo API token, which the simulator accepts unless
 * INFRAHUB_SIM_TOKEN says otherwise (see tools/infrahub-sim). Exported to the
 * workers as INFRAHUB_API_TOKEN, exactly as a real deployment would set it.
 */
const SIM_DEMO_TOKEN = '06438eb2-8019-4776-878c-0941b1f1d1ec';

/**
 * The Infrahub simulator (tools/infrahub-sim) with the stack's lab (SYNAPSE_LAB). It
 * prints `{"service":"infrahub-sim","address":…}` once it serves requests.
 * Port 8000 (Infrahub's own) unless INFRAHUB_SIM_PORT is set.
 */
export function infrahubSimService(entry: string = INFRAHUB_SIM_ENTRY): StackService {
  return {
    name: 'Infrahub simulator',
    async start(context) {
      if (!fs.existsSync(entry)) {
        throw new Error(`${path.relative(WORKSPACE_ROOT, entry)} does not exist: build it first (\`npx nx build infrahub-sim\`; \`npm start\` builds everything).`);
      }
      const port = context.env.INFRAHUB_SIM_PORT || '8000';
      const lab = stackLab(context.env);
      const { child, messages } = await startJsonLineChild({
        name: 'infrahub-sim',
        command: process.execPath,
        // Reads without credentials, as Infrahub allows by default (allow_anonymous_access): the
        // CLI's device check needs no token; every write still needs the workers' token.
        args: [entry, '--port', port, '--allow-anonymous-read', ...(lab.file ? ['--lab', lab.file] : [])],
        // Its own logins (INFRAHUB_SIM_*), none of the workers' secrets.
        env: { ...context.env, ...scopedEnv(context, ['INFRAHUB_SIM_TOKEN', 'INFRAHUB_SIM_USERNAME', 'INFRAHUB_SIM_PASSWORD']) },
        cwd: WORKSPACE_ROOT,
        isReady: (message) => message.service === 'infrahub-sim',
        readyTimeoutMs: 60_000,
      });
      const address = String(messages.find((message) => message.service === 'infrahub-sim')?.address);
      const token = context.scoped.INFRAHUB_SIM_TOKEN || SIM_DEMO_TOKEN;
      return {
        name: 'Infrahub simulator',
        banner: [
          `Infrahub (sim)  ${address}   (${lab.label}; GraphQL at ${address}/graphql)`,
          `                API token ${token} (lab demo token), or login admin / infrahub; reads need none`,
        ],
        exports: {},
        // For the infrahub-worker only.
        scopedExports: { INFRAHUB_ADDRESS: address, INFRAHUB_API_TOKEN: token },
        exited: child.exited,
        stop: async () => {
          await child.stop();
        },
      };
    },
  };
}
