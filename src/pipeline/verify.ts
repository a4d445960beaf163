// `verify DIR`: an export folder checked against what it claims to hold. Every manifest.json's
// files must be present with their size and sha256; every conversation the checkpoint records as
// delivered to this folder must still have its manifest; the audit log's chain must hold and reach
// the length the checkpoint anchored. `repairTargets` turns the problems into conversations to
// export again (see the CLI's --repair).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { verifyAuditFile, type AuditVerification } from './audit.ts';
import { CHECKPOINT_NAME, CheckpointStore } from './checkpoint.ts';
import { AUDIT_NAME, STATE_DIR_NAME } from './state.ts';
import { checkFile } from '../sinks/fs-check.ts';
import { folderDeliveries } from './home.ts';
import { MANIFEST_NAME } from '../sinks/layout.ts';

export interface TreeProblem {
  /** The conversation, when known (from the manifest or the checkpoint). */
  conversationId?: string;
  /** The conversation folder, relative to the export folder. */
  folder: string;
  file?: string;
  problem: 'missing' | 'size' | 'sha256' | 'unreadable' | 'manifest-missing' | 'manifest-unreadable';
  detail?: string;
}

export interface TreeVerification {
  ok: boolean;
  conversations: number;
  files: number;
  problems: TreeProblem[];
  /** Undefined when the folder has no audit log (state kept elsewhere and not given). */
  audit?: AuditVerification;
}

interface ManifestFile {
  name: string;
  size: number;
  sha256: string;
}

async function* manifests(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.isDirectory() && e.name !== STATE_DIR_NAME && !e.name.startsWith('.'))
      yield* manifests(join(dir, e.name));
    else if (e.isFile() && e.name === MANIFEST_NAME) yield join(dir, e.name);
  }
}

async function checkFolder(
  root: string,
  folder: string,
  problems: TreeProblem[],
): Promise<{ conversationId?: string; files: number }> {
  const rel = relative(root, folder);
  let manifest: { conversationId?: unknown; files?: unknown };
  try {
    manifest = JSON.parse(await readFile(join(folder, MANIFEST_NAME), 'utf8')) as typeof manifest;
  } catch (err) {
    problems.push({ folder: rel, problem: 'manifest-unreadable', detail: (err as Error).name });
    return { files: 0 };
  }
  const conversationId = typeof manifest.conversationId === 'string' ? manifest.conversationId : undefined;
  const files = Array.isArray(manifest.files) ? (manifest.files as ManifestFile[]) : [];
  for (const f of files) {
    const p = await checkFile(folder, f, true);
    if (p)
      problems.push({
        ...(conversationId ? { conversationId } : {}),
        folder: rel,
        file: p.name,
        problem: p.problem,
        ...(p.detail ? { detail: p.detail } : {}),
      });
  }
  return { ...(conversationId ? { conversationId } : {}), files: files.length + 1 };
}

export interface VerifyOptions {
  /** The state folder (default: <dir>/.genesys-transcripts). */
  stateDir?: string;
  hmacKey?: string;
}

export async function verifyExportTree(dir: string, options: VerifyOptions = {}): Promise<TreeVerification> {
  const root = resolve(dir);
  const stateDir = resolve(options.stateDir ?? join(root, STATE_DIR_NAME));
  const problems: TreeProblem[] = [];
  const seen = new Set<string>();
  let conversations = 0;
  let files = 0;
  for await (const path of manifests(root)) {
    const folder = resolve(path, '..');
    seen.add(folder);
    const r = await checkFolder(root, folder, problems);
    conversations += 1;
    files += r.files;
  }
  let audit: AuditVerification | undefined;
  const checkpointPath = join(stateDir, CHECKPOINT_NAME);
  if (existsSync(checkpointPath)) {
    const store = CheckpointStore.open(checkpointPath);
    try {
      // Delivered here per the checkpoint, but the folder (or its manifest) is gone.
      // Keyed relative to the folder when the state is its own: a moved or copied folder is
      // checked against its own files, not the ones at the path it was exported to.
      const home = resolve(stateDir) === join(root, STATE_DIR_NAME);
      for (const d of folderDeliveries(store, root, home)) {
        const location = d.location;
        if (location === undefined || seen.has(location)) continue;
        problems.push({
          conversationId: d.conversationId,
          folder: relative(root, location),
          problem: 'manifest-missing',
        });
      }
      const anchor = store.auditAnchor();
      if (existsSync(join(stateDir, AUDIT_NAME)))
        audit = await verifyAuditFile(join(stateDir, AUDIT_NAME), {
          ...(options.hmacKey ? { hmacKey: options.hmacKey } : {}),
          ...(anchor ? { anchor } : {}),
        });
    } finally {
      store.close();
    }
  } else if (existsSync(join(stateDir, AUDIT_NAME))) {
    audit = await verifyAuditFile(
      join(stateDir, AUDIT_NAME),
      options.hmacKey ? { hmacKey: options.hmacKey } : {},
    );
  }
  return {
    ok: problems.length === 0 && (audit?.ok ?? true),
    conversations,
    files,
    problems,
    ...(audit ? { audit } : {}),
  };
}

/** Conversations to export again; problems without a known conversation cannot be repaired. */
export function repairTargets(v: TreeVerification): { ids: string[]; unknown: TreeProblem[] } {
  const ids = new Set<string>();
  const unknown: TreeProblem[] = [];
  for (const p of v.problems) {
    if (p.conversationId) ids.add(p.conversationId);
    else unknown.push(p);
  }
  return { ids: [...ids], unknown };
}

/** The output settings of the last run that delivered to this folder: a repair must produce the same delivery. */
export function lastOutputSettings(stateDir: string): Record<string, unknown> | undefined {
  const path = join(stateDir, CHECKPOINT_NAME);
  if (!existsSync(path)) return undefined;
  const store = CheckpointStore.open(path);
  try {
    const run = store
      .runs()
      .filter((r) => !(r.params as { dryRun?: boolean }).dryRun)
      .at(-1);
    if (!run) return undefined;
    const p = run.params as Record<string, unknown>;
    const pick = ['formats', 'media', 'mediaFormat', 'transcripts', 'redact'] as const;
    return Object.fromEntries(pick.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
  } finally {
    store.close();
  }
}
