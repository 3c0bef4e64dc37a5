import { readFileSync } from 'node:fs';
import { DockerfileParser, Env, type Instruction } from 'dockerfile-ast';

/**
 * A Dockerfile reduced to what the checks compare with the apps and the
 * Compose file: its stages, and for the final (runtime) stage the user, the
 * environment, the exposed ports, the healthcheck and the command.
 */
export interface DockerStage {
  /** `AS <name>`, if any. */
  name?: string;
  /** The FROM image with build args substituted (`node:20-bookworm-slim`). */
  image: string;
  /** 1-based line of its FROM. */
  fromLine: number;
  instructions: Array<{ keyword: string; arguments: string; line: number }>;
}

export interface DockerfileModel {
  stages: DockerStage[];
  runtime: DockerStage;
  /** The last USER of the runtime stage (an image without one runs as root). */
  user?: string;
  /** ENV of the runtime stage, in order, later values winning. */
  env: Record<string, string>;
  workdir?: string;
  expose: number[];
  /** The exec-form CMD of the runtime stage; a shell-form CMD is reported as ['/bin/sh', '-c', text]. */
  cmd?: string[];
  entrypoint?: string[];
  /** HEALTHCHECK's command (exec form), `NONE`, or absent. */
  healthcheck?: string[] | 'NONE';
}

export function loadDockerfile(file: string): DockerfileModel {
  return parseDockerfile(readFileSync(file, 'utf8'));
}

export function parseDockerfile(text: string): DockerfileModel {
  const dockerfile = DockerfileParser.parse(text);
  const buildArgs = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    for (const property of arg.getProperties()) buildArgs.set(property.getName(), property.getValue() ?? '');
  }
  const stages: DockerStage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const args = instruction.getArguments().map((a) => a.getValue()).filter((a) => !a.startsWith('--'));
      const asIndex = args.findIndex((a) => a.toUpperCase() === 'AS');
      stages.push({
        image: substituteArgs(args[0] ?? '', buildArgs),
        ...(asIndex !== -1 ? { name: args[asIndex + 1] } : {}),
        fromLine: instruction.getRange().start.line + 1,
        instructions: [],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) continue; // ARGs before the first FROM
    // toString() joins continued lines and keeps flags (COPY --from=…), which getArgumentsContent() drops.
    stage.instructions.push({ keyword, arguments: instruction.toString().slice(instruction.getInstruction().length).trim(), line: instruction.getRange().start.line + 1 });
  }
  const runtime = stages.at(-1);
  if (!runtime) throw new Error('no FROM instruction');

  const model: DockerfileModel = { stages, runtime, env: {}, expose: [] };
  const runtimeInstructions = dockerfile.getInstructions().filter((i) => i.getRange().start.line + 1 > runtime.fromLine);
  for (const instruction of runtimeInstructions) {
    const keyword = instruction.getKeyword();
    if (keyword === 'USER') model.user = instruction.getArgumentsContent()?.trim();
    if (keyword === 'WORKDIR') model.workdir = instruction.getArgumentsContent()?.trim();
    if (instruction instanceof Env) {
      for (const property of instruction.getProperties()) model.env[property.getName()] = unquote(property.getValue() ?? '');
    }
    if (keyword === 'EXPOSE') model.expose.push(...instruction.getArguments().flatMap((a) => portsOf(a.getValue())));
    if (keyword === 'CMD') model.cmd = execForm(instruction);
    if (keyword === 'ENTRYPOINT') model.entrypoint = execForm(instruction);
    if (keyword === 'HEALTHCHECK') {
      const content = instruction.getArgumentsContent()?.trim() ?? '';
      if (/^NONE$/i.test(content)) model.healthcheck = 'NONE';
      else {
        const cmd = /\bCMD\s+([\s\S]*)$/.exec(content)?.[1]?.trim() ?? '';
        model.healthcheck = cmd.startsWith('[') ? (JSON.parse(cmd) as string[]) : ['/bin/sh', '-c', cmd];
      }
    }
  }
  return model;
}

function execForm(instruction: Instruction): string[] {
  const content = instruction.getArgumentsContent()?.trim() ?? '';
  if (content.startsWith('[')) return JSON.parse(content) as string[];
  return ['/bin/sh', '-c', content];
}

/** `57400-57402/tcp` -> [57400, 57401, 57402]. */
function portsOf(text: string): number[] {
  const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp))?$/.exec(text);
  if (!match) throw new Error(`EXPOSE ${text} is not a port or a port range`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

function substituteArgs(text: string, args: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced: string | undefined, bare: string | undefined) => args.get((braced ?? bare)!) ?? '');
}

function unquote(value: string): string {
  return /^".*"$|^'.*'$/.test(value) ? value.slice(1, -1) : value;
}
