import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORKSPACE_ROOT } from '../workspace-paths';
import { stackData } from './stack-data';

export const LAB_GENERATOR = path.join(WORKSPACE_ROOT, 'tools', 'lab', 'dist', 'generate.js');

/** The labs `npm start` knows by name; anything else in SYNAPSE_LAB is a lab file. */
const NAMED_LABS: Record<string, string[]> = {
  reference: ['--reference'],
  brownfield: ['--reference', '--brownfield'],
};

export interface StackLab {
  /** What the banner calls it: a name, or the file. */
  label: string;
  /**
   * The lab file both simulators load (`--lab`), so the devices always match
   * what Infrahub says; none for the reference lab, each simulator's default.
   */
  file?: string;
}

/**
 * The lab both simulators serve. SYNAPSE_LAB picks it: `reference` (the
 * default: three devices from their initial config), `brownfield` (the same
 * fabric already running config Synapse did not build and does not own), or
 * the path of a lab file (`node tools/lab/dist/generate.js … > fabric.json`).
 * Named labs are written by tools/lab's generator into the stack's data
 * directory (.data/stack/).
 */
export function stackLab(env: NodeJS.ProcessEnv): StackLab {
  const chosen = (env.SYNAPSE_LAB ?? '').trim() || 'reference';
  if (chosen === 'reference') return { label: 'reference lab' };
  const named = NAMED_LABS[chosen];
  if (!named) {
    const file = path.resolve(WORKSPACE_ROOT, chosen);
    if (!fs.existsSync(file)) {
      throw new Error(`SYNAPSE_LAB=${chosen}: no such lab; give ${Object.keys(NAMED_LABS).join(' or ')}, or the path of a lab file (node tools/lab/dist/generate.js writes one)`);
    }
    return { label: path.relative(WORKSPACE_ROOT, file), file };
  }
  if (!fs.existsSync(LAB_GENERATOR)) throw new Error(`${path.relative(WORKSPACE_ROOT, LAB_GENERATOR)} does not exist: build it first (\`npx nx build lab\`)`);
  const generated = spawnSync(process.execPath, [LAB_GENERATOR, ...named], { encoding: 'utf8' });
  if (generated.status !== 0) throw new Error(`the ${chosen} lab could not be generated: ${generated.stderr.trim()}`);
  const file = path.join(stackData(env).labDir, `lab-${chosen}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, generated.stdout);
  return { label: `${chosen} lab`, file };
}
