// Reads test output (jest and node:test, as turbo prints it) on stdin and prints one closing line
// `tests: N passed, N failed` over every package, so a CI reader sees the whole count at once.
import { createInterface } from 'node:readline';

let passed = 0;
let failed = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const jest = /Tests:\s+(?:(\d+) failed, )?(?:\d+ skipped, )?(?:(\d+) passed, )?\d+ total/.exec(line);
  if (jest) {
    failed += Number(jest[1] ?? 0);
    passed += Number(jest[2] ?? 0);
  }
  const nodePass = /# pass (\d+)$/.exec(line);
  if (nodePass) passed += Number(nodePass[1]);
  const nodeFail = /# fail (\d+)$/.exec(line);
  if (nodeFail) failed += Number(nodeFail[1]);
}
console.log(`tests: ${passed} passed, ${failed} failed`);
