// Every span, metric and attribute name the router records is documented in the README's
// "Observability" section (operators build dashboards and alerts on these names).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATTR, INSTRUMENTATION_SCOPE, METRIC, SPAN } from '../../src/telemetry/names.js';

function observabilitySection(): string {
  const readme = readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');
  const start = readme.search(/^## Observability$/m);
  if (start < 0) throw new Error('README.md has no "## Observability" section');
  const next = readme.slice(start + 1).search(/^## /m);
  return next < 0 ? readme.slice(start) : readme.slice(start, start + 1 + next);
}

const names = [
  INSTRUMENTATION_SCOPE,
  ...Object.values(SPAN),
  ...Object.values(ATTR),
  ...Object.values(METRIC),
];

test.each(names)('README "Observability" names `%s`', (name) => {
  expect(observabilitySection()).toContain(`\`${name}\``);
});
