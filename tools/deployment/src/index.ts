// @synapse/deployment-checks: what the container images, docker-compose.yml
// and the CI workflow are checked with (tools/deployment/test), plus the two
// small programs images run at build time (copy-runtime-files) and in the
// lab (loopback-relay).
export { copyRuntimeFiles, runtimeClosure, runtimeEntries, workspacePackages, readManifest, type PackageManifest, type WorkspacePackage, type CopiedPackage } from './runtime-files';
export { walkModuleGraph, type ModuleGraph } from './module-graph';
export { envVariablesInSource, envVariablesReadByApp, stripComments } from './env-references';
export {
  parseCompose,
  loadCompose,
  interpolate,
  interpolateDocument,
  variablesIn,
  documentVariables,
  environmentOf,
  envFilesOf,
  envFileEntriesOf,
  parseEnvFile,
  isRecord,
  InterpolationError,
  type ComposeDocument,
  type VariableReference,
  type EnvFileEntry,
} from './compose';
export { parseDockerfile, loadDockerfile, type DockerfileModel, type DockerStage } from './dockerfile';
export { startRelay, parsePortList, externalIpv4Addresses, type Relay, type RelayOptions } from './relay';
export {
  dockerfileProblems,
  commandProblems,
  composeStructureProblems,
  secretProblems,
  committedEncryptionKeyProblems,
  ENCRYPTION_KEY_VARIABLES,
  ciWorkflowProblems,
  portOf,
  SECRET_NAME,
  type ImageExpectations,
  type RepositoryFile,
} from './checks';
export { parseProbeArgs, probe, type ProbeArgs } from './probe';
