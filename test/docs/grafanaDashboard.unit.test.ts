import { describe, expect, it } from 'vitest';
import { LedgerMetrics } from '../../src/adapters/metrics/ledgerMetrics';
import dashboard from '../../docs/grafana/trade-ledger.json';

interface Panel {
  readonly type: string;
  readonly title: string;
  readonly gridPos: { x: number; y: number; w: number; h: number };
  readonly targets?: readonly { expr: string }[];
}

const panels = dashboard.panels as readonly Panel[];
const expressions = panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
);

/** The series a PromQL expression reads (identifiers followed by `{`), histogram suffixes removed. */
function metricNames(expr: string): string[] {
  const names = [...expr.matchAll(/([a-z_:][a-z0-9_:]*)\{/g)].map((match) => match[1] ?? '');
  return names.map((name) => name.replace(/_(bucket|count|sum)$/, ''));
}

describe('docs/grafana/trade-ledger.json', () => {
  it('only queries metrics the service exports (no drift from src/adapters/metrics/ledgerMetrics.ts)', async () => {
    const exported = new Set(
      [...(await new LedgerMetrics().render()).body.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]),
    );
    expect(expressions.length).toBeGreaterThan(15);
    const unknown = expressions.flatMap(({ panel, expr }) =>
      metricNames(expr)
        .filter((name) => !exported.has(name))
        .map((name) => `${panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('has balanced brackets in every expression and panels that do not overlap on the 24-column grid', () => {
    for (const { panel, expr } of expressions) {
      for (const [open, close] of [
        ['(', ')'],
        ['{', '}'],
        ['[', ']'],
      ] as const) {
        expect(expr.split(open).length, `${panel}: ${expr}`).toBe(expr.split(close).length);
      }
    }
    const cells = new Set<string>();
    for (const panel of panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let column = x; column < x + w; column++) {
        for (let line = y; line < y + h; line++) {
          const cell = `${column},${line}`;
          expect(cells.has(cell), `${panel.title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
    }
  });

  it('takes its data source from a variable, so it imports into any Grafana', () => {
    const sources = new Set(
      JSON.stringify(dashboard)
        .match(/"uid":"[^"]*"/g)
        ?.filter((uid) => uid !== '"uid":"trade-ledger"' && uid !== '"uid":"-- Grafana --"'),
    );
    expect([...sources]).toEqual(['"uid":"${datasource}"']);
  });
});
