// Writes an export's review pages: DIR/index.html, DIR/review/c/<id>.html per conversation,
// DIR/review/rows/<hour>.js (the index's data) and DIR/review/index.db (rows + full-text index).
// Everything here is derived from the conversation folders, so `review DIR` can always rebuild it.
// A conversation is added in one IMMEDIATE transaction that marks its hour's rows file (and the
// index page when the hour is new) stale in the database; the stale files are rewritten together
// up to 10 s later (FLUSH_DELAY_MS), at close, and at the next opening after a crash, each time in one
// IMMEDIATE transaction that reads the rows it writes: processes sharing the folder take turns, and
// the files always catch up with the database. Rewriting an hour's file per conversation made the
// export O(n²) in the conversations of an hour, and cost 2 ms a conversation on the main thread.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pagePath, type ReviewEntry } from './entry.ts';
import { renderConversationPage } from './html/conversation-page.ts';
import { renderIndexPage, renderRowsScript, rowsScriptPath } from './html/index-page.ts';
import { INDEX_PAGE, ReviewStore } from './store.ts';
import { assertNoSymlinks, DEFAULT_DIR_MODE, DEFAULT_FILE_MODE } from '../sinks/fs-guard.ts';

/** Modes of what the site writes: the export's (the pages hold transcripts, personal data). */
export interface SiteModes {
  fileMode?: number;
  dirMode?: number;
}

export const REVIEW_DIR = 'review';
export const INDEX_DB = 'review/index.db';
const TMP = '.tmp-review-';
/**
 * How long stale rows files wait for more conversations of their hour before being rewritten. The
 * rewrite is synchronous (inside the transaction that reads the rows) and touches every stale hour:
 * at 2 s, a short export rewrote most of its hours mid-run, stalling the event loop ~0.1 s, and again
 * at close. An index page 10 s behind a running export is still current enough to browse.
 */
const FLUSH_DELAY_MS = 10_000;
/** Conversations added within this long share one transaction (group commit): FTS5 writes a new
 * index segment and SQLite a WAL commit per transaction, most of an add's cost when alone. */
const COMMIT_DELAY_MS = 50;
const COMMIT_MAX = 64;

interface PendingAdd {
  entry: ReviewEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function tmpBeside(path: string): string {
  return join(dirname(path), `${TMP}${randomBytes(6).toString('hex')}`);
}

function writeAtomicSync(path: string, text: string, mode: number): void {
  const tmp = tmpBeside(path);
  try {
    writeFileSync(tmp, text, { mode });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

async function writeAtomic(path: string, text: string, mode: number): Promise<void> {
  const tmp = tmpBeside(path);
  try {
    await writeFile(tmp, text, { mode });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Temp files a killed process left behind: never part of the site. */
function removeStaleTemps(dirs: string[]): void {
  for (const dir of dirs)
    for (const name of readdirSync(dir)) if (name.startsWith(TMP)) rmSync(join(dir, name), { force: true });
}

export class ReviewSite {
  readonly root: string;
  private readonly fileMode: number;
  private readonly dirMode: number;
  private store: ReviewStore | undefined;
  /** The one opening in flight: deliveries start together, and a second opener's clean-up of
   * stale temp files would remove the pages the first ones are writing. */
  private opening: Promise<ReviewStore> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private pending: PendingAdd[] = [];
  private commitTimer: NodeJS.Timeout | undefined;

  constructor(root: string, modes: SiteModes = {}) {
    this.root = root;
    this.fileMode = modes.fileMode ?? DEFAULT_FILE_MODE;
    this.dirMode = modes.dirMode ?? DEFAULT_DIR_MODE;
  }

  private open(): Promise<ReviewStore> {
    this.opening ??= this.openOnce().catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  private async openOnce(): Promise<ReviewStore> {
    const dirs = [this.root, join(this.root, REVIEW_DIR, 'c'), join(this.root, REVIEW_DIR, 'rows')];
    for (const d of dirs) {
      mkdirSync(d, { recursive: true, mode: this.dirMode });
      // A symlink planted in the export folder could send the pages elsewhere.
      if (d !== this.root) await assertNoSymlinks(this.root, d);
    }
    removeStaleTemps(dirs);
    const db = join(this.root, INDEX_DB);
    this.store = new ReviewStore(db);
    chmodSync(db, this.fileMode);
    // Files a process killed before its flush left behind the database.
    this.flush();
    return this.store;
  }

  /**
   * Adds (or replaces) one delivered conversation: its page, its row, its lines in the search index.
   * Resolves once its row and lines are committed.
   */
  async add(entry: ReviewEntry): Promise<void> {
    const store = await this.open();
    await writeAtomic(
      join(this.root, pagePath(entry.manifest.conversationId)),
      renderConversationPage(entry),
      this.fileMode,
    );
    await new Promise<void>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (this.pending.length >= COMMIT_MAX) this.commitPending(store);
      else this.commitTimer ??= setTimeout(() => this.commitPending(store), COMMIT_DELAY_MS);
    });
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      // A failure leaves the files marked stale: the next flush (at the latest, close) retries.
      try {
        this.flush();
      } catch {
        /* retried */
      }
    }, FLUSH_DELAY_MS).unref();
  }

  /** Commits the adds waiting for their transaction: together, or each alone when together fails. */
  private commitPending(store: ReviewStore): void {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    try {
      store.transaction(() => {
        for (const p of batch) store.upsert(p.entry);
      });
    } catch {
      // One entry's failure (or a full disk) must not fail the others: each on its own.
      for (const p of batch) {
        try {
          store.transaction(() => store.upsert(p.entry));
          p.resolve();
        } catch (err) {
          p.reject(err);
        }
      }
      return;
    }
    for (const p of batch) p.resolve();
  }

  /** Rewrites the rows files and index page the database marks stale (a missing index page too). */
  flush(): void {
    const store = this.store;
    if (!store) return;
    store.transaction(() => {
      const stale = store.staleFiles();
      let index = false;
      for (const name of stale) {
        if (name === INDEX_PAGE) index = true;
        else this.writeBucket(store, name);
      }
      if (index || !existsSync(join(this.root, 'index.html'))) this.writeIndex(store);
      store.clearStale();
    });
  }

  /** Replaces the whole site with one built from `entries` (the conversation folders on disk). */
  async rebuild(entries: AsyncIterable<ReviewEntry>): Promise<number> {
    this.close();
    for (const sub of ['c', 'rows'])
      rmSync(join(this.root, REVIEW_DIR, sub), { recursive: true, force: true });
    for (const db of ['', '-wal', '-shm']) rmSync(join(this.root, `${INDEX_DB}${db}`), { force: true });
    const store = await this.open();
    let n = 0;
    for await (const entry of entries) {
      await writeAtomic(
        join(this.root, pagePath(entry.manifest.conversationId)),
        renderConversationPage(entry),
        this.fileMode,
      );
      store.transaction(() => store.upsert(entry));
      n += 1;
    }
    store.transaction(() => {
      for (const bucket of store.buckets()) this.writeBucket(store, bucket);
      this.writeIndex(store);
      store.clearStale();
    });
    return n;
  }

  private writeBucket(store: ReviewStore, bucket: string): void {
    writeAtomicSync(
      join(this.root, rowsScriptPath(bucket)),
      renderRowsScript(store.rowsIn(bucket)),
      this.fileMode,
    );
  }

  private writeIndex(store: ReviewStore): void {
    writeAtomicSync(join(this.root, 'index.html'), renderIndexPage(store.buckets()), this.fileMode);
  }

  /** Writes what is still stale, then closes the database. */
  close(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    try {
      if (this.store?.db.isOpen) {
        this.commitPending(this.store);
        this.flush();
      }
    } finally {
      clearTimeout(this.commitTimer);
      this.commitTimer = undefined;
      for (const p of this.pending.splice(0)) p.reject(new Error('the review site was closed'));
      this.store?.close();
    }
    this.store = undefined;
    this.opening = undefined;
  }
}
