// One step of a `requestState` key rotation on a running demo cluster (`pnpm demo --serve`, which
// prints its keyring file): the pods follow the file, so no restart is needed.
//   pnpm demo:rotate-key <keyring file> add|activate|drop
// add: list a new key (not yet sealing); activate: seal new states with the newest key; drop:
// remove every key but the active one (once the old key's states have expired, 600 s by default).
import {
  ROTATION_STEPS,
  type RotationStep,
  readKeyringFile,
  rotateKeyring,
  writeKeyringFile,
} from './keyring-file.js';

const USAGE = `Usage: pnpm demo:rotate-key <keyring file> ${ROTATION_STEPS.join('|')}
  add       list a new key, not yet used to seal (do this first, so every pod can open it)
  activate  seal new states with the newest key; the old one still opens the states sealed before
  drop      remove every key but the active one (after the old states expired: 600 s by default)`;

async function main(): Promise<number> {
  const [path, step] = process.argv.slice(2);
  if (!path || !(ROTATION_STEPS as readonly string[]).includes(step ?? '')) {
    console.error(USAGE);
    return 2;
  }
  const next = rotateKeyring(await readKeyringFile(path), step as RotationStep);
  await writeKeyringFile(path, next);
  console.log(`${path}: active ${next.activeKeyId}; keys ${Object.keys(next.keys).sort().join(', ')}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
