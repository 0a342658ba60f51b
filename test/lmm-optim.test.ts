import { describe, expect, it } from 'vitest';
import { minimizeBoundedNM } from '../src/stats/optim/nelder-mead.ts';
import { newtonPolish } from '../src/stats/optim/newton-polish.ts';

// Closed-form optima; the tolerances are those the mixed-model fits rely on (1e-7 in x).
describe('bounded Nelder-Mead with Newton polish', () => {
  it('finds the interior minimum of the Rosenbrock function', () => {
    const f = (x: Float64Array): number => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2;
    const r = minimizeBoundedNM(f, [-1.2, 1], { lower: [-5, -5], upper: [5, 5] });
    expect(r.converged).toBe(true);
    const p = newtonPolish(f, r.x, [-5, -5], [5, 5]);
    expect(Math.abs(p.x[0]! - 1)).toBeLessThan(1e-7);
    expect(Math.abs(p.x[1]! - 1)).toBeLessThan(1e-7);
  });

  it('stops on an active lower bound, as a zero variance in a mixed model', () => {
    // Unconstrained minimum at (-0.5, 2); with x0 >= 0: df/dx1 = 2 (x1 - 2) + 0.6 * 0.5 = 0, x1 = 1.85.
    const f = (x: Float64Array): number =>
      (x[0]! + 0.5) ** 2 + (x[1]! - 2) ** 2 + 0.6 * (x[0]! + 0.5) * (x[1]! - 2);
    const lower = [0, Number.NEGATIVE_INFINITY];
    const upper = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    const r = minimizeBoundedNM(f, [1, 1], { lower, upper });
    const p = newtonPolish(f, r.x, lower, upper);
    expect(p.x[0]).toBe(0);
    expect(Math.abs(p.x[1]! - 1.85)).toBeLessThan(1e-7);
  });

  it('reports non-convergence when the evaluation budget is exhausted', () => {
    const f = (x: Float64Array): number => (x[0]! - 3) ** 2 + (x[1]! + 1) ** 2;
    const r = minimizeBoundedNM(f, [0, 0], { maxEval: 10 });
    expect(r.converged).toBe(false);
    expect(r.evaluations).toBeLessThanOrEqual(12);
  });
});
