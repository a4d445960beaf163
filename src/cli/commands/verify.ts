// `genesys-transcripts verify DIR [--repair]`: checks an export folder against its manifests
// (files listed and present, sizes, sha256), the checkpoint (conversations delivered here whose
// folder is gone) and the audit log (chain and anchored length). Exit 0 when all holds, 1 with one
// line per problem. --repair exports the damaged conversations again with the output settings of
// the last run to this folder (connection flags as for export), then verifies again.
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { GtError } from '../../errors.ts';
import type { TreeProblem, TreeVerification } from '../../pipeline/verify.ts';
import type { SetExitCode } from './index.ts';
import { addConnectionOptions, printable } from './shared-options.ts';

interface VerifyFlags {
  stateDir?: string;
  repair?: boolean;
  json?: boolean;
  hmacKeyEnv?: string;
  [k: string]: unknown;
}

function problemLine(p: TreeProblem): string {
  const what = p.file ? `${p.file}: ${p.problem}` : p.problem;
  return `${printable(p.folder)}${p.conversationId ? ` (${printable(p.conversationId)})` : ''}: ${what}${p.detail ? ` (${printable(p.detail)})` : ''}`;
}

function report(v: TreeVerification, out: NodeJS.WritableStream): void {
  const lines = [`${v.conversations} conversations, ${v.files} files checked`];
  lines.push(...v.problems.map(problemLine));
  if (v.audit)
    lines.push(
      v.audit.ok
        ? `audit log: OK, ${v.audit.entries} entries`
        : `audit log: line ${v.audit.line}: ${v.audit.reason}`,
    );
  else lines.push('audit log: none found (state kept elsewhere? give --state-dir)');
  lines.push(
    v.ok
      ? 'OK'
      : `NOT OK: ${v.problems.length} problem(s)${v.audit && !v.audit.ok ? ', audit log broken' : ''}`,
  );
  out.write(`${lines.join('\n')}\n`);
}

async function repair(
  dir: string,
  flags: VerifyFlags,
  v: TreeVerification,
  hmacKey: string | undefined,
): Promise<void> {
  const { repairTargets, lastOutputSettings } = await import('../../pipeline/verify.ts');
  const { defaultStateDir } = await import('../../pipeline/state.ts');
  const { loadConfig } = await import('../../config/index.ts');
  const { Exporter } = await import('../../pipeline/exporter.ts');
  const { ids, unknown } = repairTargets(v);
  for (const p of unknown)
    process.stderr.write(`cannot repair ${problemLine(p)}: no conversation ID known for it\n`);
  if (ids.length === 0) return;
  const stateDir = flags.stateDir ?? defaultStateDir(dir);
  const settings = lastOutputSettings(stateDir);
  if (!settings)
    throw new GtError(
      'USAGE',
      `--repair: no earlier export run recorded in ${stateDir}; re-run the export instead`,
    );
  const config = loadConfig({
    flags,
    env: process.env,
    ...(typeof flags.config === 'string' ? { configFile: flags.config } : {}),
  });
  // force: the checkpoint says these were delivered; the folder says otherwise, and the folder wins.
  const exporter = new Exporter(
    {
      selection: { conversationIds: ids },
      outDir: dir,
      stateDir,
      force: true,
      ...settings,
      ...(hmacKey ? { auditHmacKey: hmacKey } : {}),
    },
    { config, names: { outDir: 'DIR', stateDir: '--state-dir' } },
  );
  for await (const _ of exporter.run()) {
    // results are in the summary
  }
  const s = exporter.summary();
  process.stderr.write(
    `repair: ${ids.length} conversation(s) exported again, ${s.conversations.failed} failed\n`,
  );
}

/** A missing DIR (a typo) is a usage error naming it, not an unexpected ENOENT with a stack. */
function assertExportFolder(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new GtError('USAGE', `verify: ${dir} does not exist: give the export folder (--out of the export)`);
  }
  if (!isDir)
    throw new GtError('USAGE', `verify: ${dir} is a file: give the export folder (--out of the export)`);
}

export function registerVerifyCommand(program: Command, setExitCode: SetExitCode): void {
  const cmd = program
    .command('verify')
    .description(
      'Check an export folder against its manifests, checkpoint and audit log; --repair re-exports what is missing or wrong',
    )
    .argument('<dir>', 'the export folder (--out of the export)')
    .option(
      '--state-dir <dir>',
      'the state folder, when the export used --state-dir (default: <dir>/.genesys-transcripts)',
    )
    .option(
      '--repair',
      're-export the conversations whose files are missing or differ (needs the connection settings)',
    )
    .option('--hmac-key-env <var>', 'environment variable holding the audit log HMAC key')
    .option('--json', 'print as JSON');
  addConnectionOptions(cmd);
  cmd.action(async (dir: string, flags: VerifyFlags) => {
    const { verifyExportTree } = await import('../../pipeline/verify.ts');
    let hmacKey: string | undefined;
    if (flags.hmacKeyEnv) {
      hmacKey = process.env[flags.hmacKeyEnv];
      if (!hmacKey) throw new GtError('USAGE', `--hmac-key-env ${flags.hmacKeyEnv}: that variable is empty`);
    }
    const options = {
      ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
      ...(hmacKey ? { hmacKey } : {}),
    };
    assertExportFolder(dir);
    let v = await verifyExportTree(dir, options);
    if (flags.repair && v.problems.length > 0) {
      if (!flags.json) report(v, process.stdout);
      await repair(dir, flags, v, hmacKey);
      v = await verifyExportTree(dir, options);
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
    else report(v, process.stdout);
    setExitCode(v.ok ? 0 : 1);
  });
}
