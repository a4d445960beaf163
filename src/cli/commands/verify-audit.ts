// `genesys-transcripts verify-audit FILE`: checks the audit log's hash chain line by line.
// Exit 0 with `OK: N entries` when intact, 1 with `line N: <reason>` at the first broken line.
// The chain cannot see entries cut from the end: the checkpoint beside the log (or --checkpoint)
// anchors its length and last hash at each run's end, so a truncated tail is reported with the
// first missing sequence number.
// The HMAC key is read from an environment variable so it never appears in shell history.
import { printable } from '../terminal.ts';
import type { Command } from 'commander';
import { GtError } from '../../errors.ts';
import { verifyAuditFile } from '../../pipeline/audit.ts';
import type { SetExitCode } from './index.ts';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHECKPOINT_NAME, CheckpointStore, type AuditAnchor } from '../../pipeline/checkpoint.ts';

function readAnchor(path: string, required: boolean): AuditAnchor | undefined {
  if (!existsSync(path)) {
    if (required) throw new GtError('CHECKPOINT', `no checkpoint at ${path}`, { path });
    return undefined;
  }
  const store = CheckpointStore.open(path);
  try {
    return store.auditAnchor();
  } finally {
    store.close();
  }
}

export function registerVerifyAuditCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('verify-audit')
    .description('Verify the tamper-evident audit log (hash chain, or HMAC chain with a key)')
    .argument('<file>', 'audit log (JSONL)')
    .option('--hmac-key-env <var>', 'name of the environment variable holding the HMAC key')
    .option(
      '--checkpoint <file>',
      "checkpoint anchoring the log's length (default: checkpoint.db beside the log)",
    )
    .option('--json', 'print as JSON')
    .action(async (file: string, flags: { hmacKeyEnv?: string; json?: boolean; checkpoint?: string }) => {
      let hmacKey: string | undefined;
      if (flags.hmacKeyEnv) {
        hmacKey = process.env[flags.hmacKeyEnv];
        if (!hmacKey)
          throw new GtError('USAGE', `environment variable ${flags.hmacKeyEnv} is not set or empty`);
      }
      const anchor = readAnchor(
        flags.checkpoint ?? join(dirname(file), CHECKPOINT_NAME),
        flags.checkpoint !== undefined,
      );
      const result = await verifyAuditFile(file, {
        ...(hmacKey ? { hmacKey } : {}),
        ...(anchor ? { anchor } : {}),
      });
      if (flags.json)
        process.stdout.write(`${JSON.stringify({ ...result, ...(anchor ? { anchor } : {}) })}\n`);
      else if (result.ok)
        process.stdout.write(
          `OK: ${result.entries} entries${anchor ? ` (the checkpoint anchors seq ${anchor.seq}, end of run ${anchor.runId})` : ' (no checkpoint anchor found: a cut tail cannot be detected)'}\n`,
        );
      // The reason may quote the (tampered) file: escaped and cut like any outside string.
      else process.stdout.write(`line ${result.line}: ${printable(result.reason, 500)}\n`);
      setExitCode(result.ok ? 0 : 1);
    });
}
