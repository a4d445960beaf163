// `genesys-transcripts verify-audit FILE`: checks the audit log's hash chain line by line.
// Exit 0 with `OK: N entries` when intact, 1 with `line N: <reason>` at the first broken line.
// The HMAC key is read from an environment variable so it never appears in shell history.
import type { Command } from 'commander';
import { GtError } from '../../errors.ts';
import { verifyAuditFile } from '../../pipeline/audit.ts';
import type { SetExitCode } from './index.ts';

export function registerVerifyAuditCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('verify-audit')
    .description('Verify the tamper-evident audit log (hash chain, or HMAC chain with a key)')
    .argument('<file>', 'audit log (JSONL)')
    .option('--hmac-key-env <var>', 'name of the environment variable holding the HMAC key')
    .option('--json', 'print as JSON')
    .action(async (file: string, flags: { hmacKeyEnv?: string; json?: boolean }) => {
      let hmacKey: string | undefined;
      if (flags.hmacKeyEnv) {
        hmacKey = process.env[flags.hmacKeyEnv];
        if (!hmacKey)
          throw new GtError('USAGE', `environment variable ${flags.hmacKeyEnv} is not set or empty`);
      }
      const result = await verifyAuditFile(file, hmacKey ? { hmacKey } : {});
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.ok) process.stdout.write(`OK: ${result.entries} entries\n`);
      else process.stdout.write(`line ${result.line}: ${result.reason}\n`);
      setExitCode(result.ok ? 0 : 1);
    });
}
