// How `pnpm conformance` judges the runner's figures and what its summary says of each.
import { type Outcome, shortfall, summaryTable } from '../src/conformance-report.js';

import { suitesFor } from '../src/conformance-runner.js';

const ACTIVE = { label: '0.1.16, active' };
const ALL = { label: '0.2.0-alpha.12, 2025-11-25 all' };
const NEXT = { label: '0.2.0-alpha.12, 2026-07-28 all' };

function outcome(
  target: Outcome['target'],
  suite: Outcome['suite'],
  passed: number,
  failed = 0,
  warnings = 0,
): Outcome {
  return { target, suite, pods: 3, passed, failed, warnings, failures: [], seconds: 1.25 };
}

test('SDK 1.x is measured on the 2025 suites, SDK v2 on 2026-07-28 and 2025-11-25 with the next runner', () => {
  expect(suitesFor(1).map((s) => s.label)).toEqual([ACTIVE.label, ALL.label]);
  expect(suitesFor(2).map((s) => s.label)).toEqual([NEXT.label, ALL.label]);
  expect(suitesFor(2)[0]!.args).toEqual(['--spec-version', '2026-07-28', '--suite', 'all']);
});

test('a routed target passes a suite with no failure and at least the stock baseline of that suite', () => {
  const outcomes = [outcome('stock', ALL, 84), outcome('redis', ALL, 84), outcome('redis', ACTIVE, 40)];
  for (const o of outcomes) expect(shortfall(o, outcomes)).toBeUndefined();
});

test('one failed check fails the target, and so does passing fewer checks than the baseline', () => {
  const outcomes = [outcome('stock', ALL, 84), outcome('redis', ALL, 83, 1), outcome('postgres', ALL, 81)];
  expect(shortfall(outcomes[1]!, outcomes)).toBe('1 failed');
  expect(shortfall(outcomes[2]!, outcomes)).toBe('81 passed, the stock baseline 84');
});

test('a warning fails a target, as a failed check does: a SHOULD met by one stock process must be met through the cluster', () => {
  const outcomes = [
    outcome('stock', NEXT, 152),
    outcome('redis', NEXT, 150, 0, 2),
    outcome('memory', NEXT, 151, 0, 1),
  ];
  expect(shortfall(outcomes[1]!, outcomes)).toBe('2 warnings');
  expect(shortfall(outcomes[2]!, outcomes)).toBe('1 warning');
  expect(shortfall(outcome('stock', NEXT, 151, 0, 1), [])).toBe('1 warning');
});

test('the baseline is compared suite by suite, and a run without it only needs no failure', () => {
  const outcomes = [outcome('stock', ACTIVE, 40), outcome('memory', ALL, 70)];
  expect(shortfall(outcomes[1]!, outcomes)).toBeUndefined();
  expect(shortfall(outcome('dynamodb', ALL, 0), [])).toBe('no check passed');
});

test('the unrouted stock cluster is shown failing and never counted, warnings included', () => {
  for (const problem of [outcome('stock-cluster', ALL, 30, 33), outcome('stock-cluster', NEXT, 150, 0, 2)]) {
    expect(shortfall(problem, [problem])).toBeUndefined();
  }
});

test('the summary names the runner version and suite of every figure, and each target once', () => {
  const table = summaryTable(
    [
      { ...outcome('stock', ACTIVE, 40), pods: 1, startSeconds: 1.5 },
      { ...outcome('stock', ALL, 84), pods: 1 },
      { ...outcome('stock-cluster', ACTIVE, 2, 29), startSeconds: 2 },
      outcome('stock-cluster', ALL, 30, 33),
    ],
    2,
  ).split('\n');
  expect(table[0]).toMatch(/^target +runner, suite +checks passed +warnings +start +run$/);
  expect(table[2]).toMatch(
    /^stock SDK v2, 1 process \(baseline\) +0\.1\.16, active +40\/40 +0 +1\.5 s +1\.3 s$/,
  );
  expect(table[3]).toMatch(/^ +0\.2\.0-alpha\.12, 2025-11-25 all +84\/84 +0 +1\.3 s$/);
  expect(table[4]).toContain('stock SDK v2, 3 processes + round-robin, no router (the problem)');
  expect(table[4]).toContain('2/31');
  expect(table[5]).toContain('30/63');
});

test('a warning is a check not passed: the summary counts it in the total and in its own column', () => {
  const [, , row] = summaryTable(
    [{ ...outcome('stock-cluster', NEXT, 150, 0, 2), startSeconds: 2 }],
    2,
  ).split('\n');
  expect(row).toMatch(/ 0\.2\.0-alpha\.12, 2026-07-28 all +150\/152 +2 +2\.0 s +1\.3 s$/);
});
