// Runs one downloadToFile in its own process, so a test can SIGKILL it mid-download and check
// that the next process resumes from the bytes on disk. Args: <url> <path> [expectedSize].
import { downloadToFile } from '../../../src/pipeline/fetch/download.ts';

const [url, path, expectedSize] = process.argv.slice(2);
if (!url || !path) throw new Error('usage: download-child.ts <url> <path> [expectedSize]');
const result = await downloadToFile(
  { path, ...(expectedSize ? { expectedSize: Number(expectedSize) } : {}) },
  { resolveUrl: async () => url },
);
process.stdout.write(`${JSON.stringify(result)}\n`);
