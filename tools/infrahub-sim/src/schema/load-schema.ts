import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInput, SynapseError } from '@synapse/contracts';
import { parse as parseYaml } from 'yaml';
import { LIBRARY_SCHEMA } from './library';
import { SchemaFile } from './schema-file';
import { SchemaModel, SchemaModelError } from './schema-model';
import { checkInfrahubRules } from './schema-rules';

/**
 * Synapse's schema extension: the YAML a real Infrahub loads with
 * `infrahubctl schema load`, and the same file this simulator serves. Found
 * next to src/ and dist/ alike (tools/infrahub-sim/schema/).
 */
export const SYNAPSE_EXTENSION_PATH = join(__dirname, '..', '..', 'schema', 'synapse-extension.yml');

/** Read and check a schema file; every failure is an InvalidInput naming the file (and the field). */
export function loadSchemaFile(path: string): SchemaFile {
  let value: unknown;
  try {
    value = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SynapseError('InvalidInput', `schema file ${path}: ${(error as Error).message}`, { path }, { cause: error });
  }
  return parseInput(SchemaFile, value, `schema file ${path}`);
}

/**
 * The schema the simulator serves: the library subset plus Synapse's
 * extension, whose kinds are held to the rules a real Infrahub applies when
 * it loads the file.
 */
export function simulatorSchema(extensionPath = SYNAPSE_EXTENSION_PATH): SchemaModel {
  const extension = loadSchemaFile(extensionPath);
  try {
    const model = new SchemaModel([parseInput(SchemaFile, LIBRARY_SCHEMA, 'library schema'), extension]);
    checkInfrahubRules(model, [...extension.generics, ...extension.nodes].map((item) => `${item.namespace}${item.name}`));
    return model;
  } catch (error) {
    if (!(error instanceof SchemaModelError)) throw error;
    throw new SynapseError('InvalidInput', `schema file ${extensionPath}: ${error.message}`, { path: extensionPath }, { cause: error });
  }
}
