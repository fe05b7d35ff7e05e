// The reports' plain-text tables.
import { formatTable } from '../src/text-table.js';

test('columns are as wide as their widest cell, with a rule under the header and no trailing blanks', () => {
  expect(
    formatTable(
      ['a', 'count'],
      [
        ['long name', '1'],
        ['b', ''],
      ],
      new Set([1]),
    ),
  ).toBe(['a          count', '---------  -----', 'long name      1', 'b'].join('\n'));
});
