import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type FamilyName,
  type LinkName,
  makeFamily,
  makeLink,
} from '../src/stats/models/family.ts';
import { maxRelError } from './helpers/compare.ts';

interface LinkRef {
  eta: number[];
  linkinv: number[];
  mu_eta: number[];
  mu: number[];
  linkfun: number[];
}
interface FamRef {
  y: number[];
  mu: number[];
  wt: number[];
  n?: number[];
  dev_resids: number[];
  variance?: number[];
  aic: number;
}
const ref = JSON.parse(
  readFileSync(new URL('./fixtures/r/family.json', import.meta.url), 'utf8'),
) as { links: Record<LinkName, LinkRef>; families: Record<string, FamRef> };

// Closed-form functions of one number: R and JavaScript share libm's exp/log, so 1e-12 relative
// leaves room only for pnorm/qnorm, which stdlib computes with a different (equally accurate)
// rational approximation than R's.
const TOL = 1e-12;

describe('links as R make.link', () => {
  for (const name of Object.keys(ref.links) as LinkName[]) {
    it(name, () => {
      const r = ref.links[name];
      const l = makeLink(name);
      expect(maxRelError(r.eta.map(l.linkinv), r.linkinv)).toBeLessThan(TOL);
      expect(maxRelError(r.eta.map(l.muEta), r.mu_eta)).toBeLessThan(TOL);
      expect(maxRelError(r.mu.map(l.linkfun), r.linkfun)).toBeLessThan(TOL);
    });
  }
});

describe('families as R binomial(), poisson(), gaussian()', () => {
  const cases: [string, FamilyName][] = [
    ['binomial01', 'binomial'],
    ['binomialProp', 'binomial'],
    ['poisson', 'poisson'],
    ['gaussian', 'gaussian'],
  ];
  for (const [key, name] of cases) {
    it(key, () => {
      const r = ref.families[key]!;
      const f = makeFamily(name);
      const dev = r.y.map((y, i) => f.devResid(y, r.mu[i]!, r.wt[i]!));
      expect(maxRelError(dev, r.dev_resids)).toBeLessThan(TOL);
      if (r.variance) expect(maxRelError(r.mu.map(f.variance), r.variance)).toBeLessThan(TOL);
      const n = Float64Array.from(r.n ?? r.y.map(() => 1));
      const aic = f.aic(
        Float64Array.from(r.y),
        n,
        Float64Array.from(r.mu),
        Float64Array.from(r.wt),
        dev.reduce((a, b) => a + b, 0),
      );
      // lgamma-based log densities against R's saddle-point dbinom/dpois: 1e-10 relative.
      expect(maxRelError([aic], [r.aic])).toBeLessThan(1e-10);
    });
  }

  it('refuses links a family does not take, and unknown families', () => {
    expect(() => makeFamily('poisson', 'logit')).toThrow(/poisson family takes the link log/);
    expect(() => makeFamily('weibull' as FamilyName)).toThrow(/unknown family/);
  });
});
