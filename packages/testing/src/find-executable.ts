import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolves a program from `PATH`, like a shell would.
 *
 * We look it up ourselves instead of letting `spawn` fail, so the error can say how to install it
 * (a bare `spawn ... ENOENT` does not).
 *
 * @param name - the program name, or an absolute path to check.
 * @param installHint - appended to the error message, e.g. "Install it with `apt-get install x`.".
 * @returns the absolute path of the program.
 * @throws Error if no executable file of that name is on `PATH`.
 */
export function findExecutable(name: string, installHint: string): string {
  if (isAbsolute(name)) {
    if (isExecutableFile(name)) return name;
  } else {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (dir === '') continue;
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  throw new Error(`${name} was not found on PATH (${process.env.PATH ?? ''}). ${installHint}`);
}
