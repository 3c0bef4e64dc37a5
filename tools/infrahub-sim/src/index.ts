export { startInfrahubSim, InfrahubSimOptions, DEFAULT_LAB_API_TOKEN, DEFAULT_LAB_USER, DEFAULT_BRANCH, type InfrahubSim } from './simulator';
export { Faults, FaultRequest, type FaultState } from './faults';
export type { ApiTokenSpec, UserSpec } from './auth/auth-service';
export type { BranchInfo } from './data/store';
export { SchemaFile, AttributeSchema, RelationshipSchema, NodeSchema, GenericSchema, NodeExtension, DropdownChoice, type SchemaFileInput } from './schema/schema-file';
export { loadSchemaFile, simulatorSchema, SYNAPSE_EXTENSION_PATH } from './schema/load-schema';
export { CONTROL_PREFIX } from './http/router';
