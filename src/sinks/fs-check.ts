// What a delivered conversation folder should hold, and whether it still does. The fs sink writes
// `.delivery.json` (the delivery ID and every file's name, size and sha256 but the manifest's)
// beside manifest.json; checking a folder against it tells a whole delivery from a damaged one:
// a deleted folder or file, a truncated file, or (with `deep`) a flipped byte.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSegments, MANIFEST_NAME } from './layout.ts';

export const MARKER_NAME = '.delivery.json';

export interface DeliveryMarker {
  deliveryId: string;
  files: { name: string; size: number; sha256: string }[];
}

export async function readMarker(path: string): Promise<DeliveryMarker | undefined> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as DeliveryMarker;
    return typeof v.deliveryId === 'string' && Array.isArray(v.files) ? v : undefined;
  } catch {
    return undefined;
  }
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface FileProblem {
  name: string;
  problem: 'missing' | 'size' | 'sha256' | 'unreadable';
  detail?: string;
}

/** A listed file checked on disk: present, the right size, and (deep) the right sha256. */
export async function checkFile(
  dir: string,
  f: { name: string; size: number; sha256: string },
  deep: boolean,
): Promise<FileProblem | undefined> {
  const path = join(dir, ...fileSegments(f.name));
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? { name: f.name, problem: 'missing' }
      : { name: f.name, problem: 'unreadable', detail: code };
  }
  if (size !== f.size) return { name: f.name, problem: 'size', detail: `${size} bytes, expected ${f.size}` };
  if (deep && (await sha256Of(path)) !== f.sha256) return { name: f.name, problem: 'sha256' };
  return undefined;
}

/** The files of a delivery that are missing or differ from the marker. */
export async function damagedFiles(
  dir: string,
  marker: DeliveryMarker,
  deep: boolean,
): Promise<FileProblem[]> {
  const problems: FileProblem[] = [];
  for (const f of marker.files) {
    const p = await checkFile(dir, f, deep);
    if (p) problems.push(p);
  }
  return problems;
}

/** manifest.json is there, parses, and lists exactly the files of the marker. */
export async function manifestMatches(dir: string, marker: DeliveryMarker): Promise<boolean> {
  try {
    const m = JSON.parse(await readFile(join(dir, MANIFEST_NAME), 'utf8')) as {
      files?: { name?: unknown }[];
    };
    const listed = (m.files ?? []).map((f) => String(f.name)).sort();
    const expected = marker.files.map((f) => f.name).sort();
    return JSON.stringify(listed) === JSON.stringify(expected);
  } catch {
    return false;
  }
}

/** Cheap (sizes only): the folder still holds delivery `deliveryId` whole. */
export async function folderHolds(dir: string, deliveryId: string): Promise<boolean> {
  const marker = await readMarker(join(dir, MARKER_NAME));
  if (!marker || marker.deliveryId !== deliveryId) return false;
  if (!(await manifestMatches(dir, marker))) return false;
  return (await damagedFiles(dir, marker, false)).length === 0;
}
