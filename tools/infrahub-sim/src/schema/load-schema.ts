import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInput, SynapseError } from '@synapse/contracts';
import { parse as parseYaml } from 'yaml';
import { LIBRARY_SCHEMA } from './library';
import { SchemaFile } from './schema-file';
import { SchemaModel } from './schema-model';

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

/** The schema the simulator serves: the library subset plus Synapse's extension. */
export function simulatorSchema(extensionPath = SYNAPSE_EXTENSION_PATH): SchemaModel {
  return new SchemaModel([parseInput(SchemaFile, LIBRARY_SCHEMA, 'library schema'), loadSchemaFile(extensionPath)]);
}
