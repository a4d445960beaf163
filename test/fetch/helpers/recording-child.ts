// Fetches one conversation's recordings in its own process and SIGKILLs ITSELF once the download
// has more than `killAt` bytes on disk: a real crash mid-download, at a deterministic point.
// Args: <apiUrl> <clientId> <conversationId> <dir> <killAt>; the secret comes from the environment.
import { loadConfig } from '../../../src/config/index.ts';
import { createGenesysClient } from '../../../src/genesys/transport.ts';
import { fetchConversationRecordings } from '../../../src/pipeline/fetch/recordings.ts';

const [apiUrl, clientId, conversationId, dir, killAt] = process.argv.slice(2);
if (!apiUrl || !clientId || !conversationId || !dir || !killAt)
  throw new Error('usage: recording-child.ts <apiUrl> <clientId> <cid> <dir> <killAt>');
const config = loadConfig({ flags: { apiUrl, loginUrl: apiUrl, clientId }, env: process.env });
const client = createGenesysClient(config);
await fetchConversationRecordings(client, conversationId, {
  format: 'WAV',
  dir,
  download: { onProgress: (bytes) => bytes > Number(killAt) && process.kill(process.pid, 'SIGKILL') },
});
process.exit(3); // reaching here means the kill never happened
