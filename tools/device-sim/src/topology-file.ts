import { readFileSync } from 'node:fs';
import { Lab } from '@synapse/lab';
import { firstLines, plainIssue } from './issues';
import { labTopology } from './lab';
import { parseTopologyShape, TopologyError, validateTopology, type Topology } from './topology';

/** Enough of each format's complaints to see which one the file was meant to be. */
const PROBLEMS_SHOWN = 8;

/**
 * Reads a `--topology` file: a device-sim topology, or a lab file as
 * tools/lab's generator writes it, which is then served exactly as `--lab`
 * serves it. A file that is neither is refused with what each format finds
 * wrong with it.
 */
export function loadTopologyFile(file: string): Topology {
  const source = `topology file ${file}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TopologyError(`cannot read ${source}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new TopologyError(`${source} is not valid JSON: ${(error as Error).message}`);
  }

  const asTopology = parseTopologyShape(document);
  if (asTopology.topology) {
    const { devices, links } = validateTopology(document, source);
    return { devices, links };
  }
  const asLab = Lab.safeParse(document);
  if (asLab.success) {
    try {
      return labTopology(asLab.data);
    } catch (error) {
      throw new TopologyError(`${source} (a lab file): ${(error as Error).message}`);
    }
  }
  const formats = [
    { name: 'As a topology (devices with credentials and initialConfig, links):', problems: asTopology.problems },
    { name: 'As a lab file (node tools/lab/dist/generate.js writes one):', problems: asLab.error.issues.map((issue) => plainIssue(issue, document)) },
  ];
  // The format with fewer complaints is most likely the one meant: it comes first.
  formats.sort((a, b) => a.problems.length - b.problems.length);
  throw new TopologyError(
    [
      `${source} is invalid: it is neither a device-sim topology nor a lab file from tools/lab.`,
      ...formats.flatMap((format) => [`  ${format.name}`, ...firstLines(format.problems, PROBLEMS_SHOWN).map((line) => `    ${line}`)]),
    ].join('\n'),
  );
}
