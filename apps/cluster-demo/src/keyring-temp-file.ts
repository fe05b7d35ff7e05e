// The keyring file of one demo cluster (cluster.ts) or stock target (conformance.ts): in a directory
// of its own under the system's temporary directory, readable by its owner only, removed when the
// cluster stops, and otherwise when this process exits, however it ends (@mcp-session-store/testing's
// registerTempDir: a signal, an uncaught error, even a SIGKILL through its watchdog).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerTempDir } from '@mcp-session-store/testing';
import { type KeyringFileContents, newKeyring, writeKeyringFile } from './keyring-file.js';

/** A keyring file in a directory of its own under the system's temporary directory. */
export interface TemporaryKeyringFile {
  readonly path: string;
  /** Removes the file and its directory; safe to call twice. */
  remove(): Promise<void>;
}

/** Writes `keyring` (default: one fresh key) to a new temporary file. */
export async function createTemporaryKeyringFile(
  keyring: KeyringFileContents = newKeyring(),
): Promise<TemporaryKeyringFile> {
  const directory = await mkdtemp(join(tmpdir(), 'mcp-demo-keyring-'));
  const forget = registerTempDir(directory);
  const path = join(directory, 'keyring.json');
  await writeKeyringFile(path, keyring);
  return {
    path,
    remove: async () => {
      await rm(directory, { recursive: true, force: true });
      forget();
    },
  };
}
