import { deviceFacts, expectationsOutsidePatch, parseInput, RenderDeviceIntentInput, RenderedIntent, validationExpectations } from '@synapse/contracts';
import { activitySettings, requireDocuments, type InfrahubActivityDeps } from './deps';
import { readAndRenderIntent } from './render-intent';

/**
 * Step 1 of a change by reference: the intent read and rendered as
 * fetchDeviceConfig does, the config written to the document store, and
 * only its reference plus what the workflow derives from the intent
 * (validation expectations, facts) answered, so neither the intent nor the
 * config enters workflow history.
 */
export function renderDeviceIntentActivity(deps: InfrahubActivityDeps) {
  const { heartbeatIntervalMs } = activitySettings(deps);
  return async function renderDeviceIntent(input: unknown): Promise<RenderedIntent> {
    const { device, branch, patchPaths } = parseInput(RenderDeviceIntentInput, input, 'renderDeviceIntent input');
    // Before reading Infrahub: without a store there is nothing to answer with.
    const documents = requireDocuments(deps, 'renderDeviceIntent');
    const { intent, source, config, checksum, scope } = await readAndRenderIntent(deps, heartbeatIntervalMs, device, branch);
    const ref = await documents.putConfig(config);
    // The device worker checks the document against this digest and the record names the checksum: they must be one value.
    if (ref.sha256 !== checksum) throw new Error(`renderDeviceIntent(${device}): the document store named the config ${ref.sha256}, its checksum is ${checksum}`);
    const result: RenderedIntent = {
      device,
      config: ref,
      checksum,
      scope,
      source,
      expectations: patchPaths ? expectationsOutsidePatch(intent, patchPaths) : validationExpectations(intent),
      facts: deviceFacts(intent),
    };
    return parseInput(RenderedIntent, result, 'renderDeviceIntent result');
  };
}
