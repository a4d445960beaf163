// The state folder of one destination: checkpoint.db (what was delivered where), audit.jsonl (the
// hash-chained record), staging/ and dead-letters/, created 0700 with 0600 files. By default it
// lives inside the --out folder (`<out>/.genesys-transcripts`), so the state travels with the
// files it describes: a new --out starts from nothing, the same --out resumes.
//
// Opening checks that the two files still agree: a checkpoint that vanished while the audit log
// shows earlier runs would silently re-deliver everything, and an audit log shorter than the
// checkpoint's anchor lost its tail — both refused here, before any work.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { GtError } from '../errors.ts';
import { AuditLog, type AuditOptions } from './audit.ts';
import { CHECKPOINT_NAME, CheckpointStore } from './checkpoint.ts';

export const STATE_DIR_NAME = '.genesys-transcripts';
export const AUDIT_NAME = 'audit.jsonl';

/** The default state folder of an export to `outDir`. */
export function defaultStateDir(outDir: string): string {
  return join(outDir, STATE_DIR_NAME);
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

export interface OpenStateOptions extends AuditOptions {
  /** Start over when the checkpoint is gone but the audit log is not. */
  force?: boolean;
}

export async function openState(
  stateDir: string,
  options: OpenStateOptions = {},
): Promise<{ checkpoint: CheckpointStore; audit: AuditLog }> {
  const checkpointPath = join(stateDir, CHECKPOINT_NAME);
  const auditPath = join(stateDir, AUDIT_NAME);
  const auditSize = sizeOf(auditPath) ?? 0;
  if (!options.force && (sizeOf(checkpointPath) ?? 0) === 0 && auditSize > 0) {
    throw new GtError(
      'CHECKPOINT',
      `${checkpointPath} is missing or empty but ${auditPath} records earlier runs: restore the checkpoint from a backup, or re-run with --force to start over (everything is delivered again)`,
      { path: checkpointPath },
    );
  }
  const checkpoint = CheckpointStore.open(checkpointPath);
  let audit: AuditLog;
  try {
    audit = await AuditLog.open(auditPath, options);
  } catch (err) {
    checkpoint.close();
    throw err;
  }
  const anchor = checkpoint.auditAnchor();
  const at = await audit.position();
  if (anchor && at.seq < anchor.seq && options.force) {
    // Carrying on is the operator's call; the chain records that it happened and from where.
    await audit.append('audit.recovered', {
      reason: 'truncated-tail',
      afterSeq: at.seq,
      anchoredSeq: anchor.seq,
      runId: anchor.runId,
    });
  } else if (anchor && at.seq < anchor.seq) {
    await audit.close();
    checkpoint.close();
    throw new GtError(
      'AUDIT_TAMPERED',
      `${auditPath} ends at seq ${at.seq} but the checkpoint recorded seq ${anchor.seq} at the end of run ${anchor.runId}: entries from seq ${at.seq + 1} are missing; run verify-audit, and --force to carry on`,
      { path: auditPath, firstMissingSeq: at.seq + 1 },
    );
  }
  return { checkpoint, audit };
}
