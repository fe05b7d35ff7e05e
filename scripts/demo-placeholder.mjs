// `pnpm demo` until the cluster demo (issue #7) lands: runs the conformance suites against the
// in-memory adapter through the published CLI, so the command already shows the project working.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
console.log('The cluster demo (3 pods behind a round-robin balancer) is not built yet: see issue #7.');
console.log('Meanwhile: the shared conformance suites against @mcp-session-store/memory, via the CLI.\n');
const run = spawnSync(
  process.execPath,
  [join(root, 'packages/core/dist/cli.js'), join(root, 'packages/memory/examples/conformance-factory.mjs')],
  { stdio: 'inherit', cwd: join(root, 'packages/memory') },
);
process.exit(run.status ?? 1);
