// Client-chosen values on metric points are bounded: the first `max` distinct well-formed values
// are kept, anything after or malformed is `_OTHER`.
import { BoundedValues } from '../../src/telemetry/bounded-values.js';

test('keeps the first values as they are, then answers _OTHER for new ones (known ones stay)', () => {
  const values = new BoundedValues(2);
  expect(values.of('tools/call')).toBe('tools/call');
  expect(values.of('tools/list')).toBe('tools/list');
  expect(values.of('made/up')).toBe('_OTHER');
  expect(values.of('tools/call')).toBe('tools/call');
});

test('a value that does not look like a name is _OTHER and takes no place', () => {
  const values = new BoundedValues(1, /^\d{4}-\d{2}-\d{2}$/);
  expect(values.of('not a version')).toBe('_OTHER');
  expect(values.of('2025-11-25')).toBe('2025-11-25');
  const names = new BoundedValues(8);
  expect(names.of('')).toBe('_OTHER');
  expect(names.of('with space')).toBe('_OTHER');
  expect(names.of('x'.repeat(129))).toBe('_OTHER');
});
