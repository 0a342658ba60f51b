/**
 * GLM families and links exactly as R's `binomial()`, `poisson()` and `gaussian()` with
 * `make.link()`: the same clamping of the inverse links (logit at |eta| > 30, probit at
 * ±qnorm(eps), cloglog and log at machine epsilon), the same deviance residuals and AIC terms,
 * and the same starting values (`family$initialize`). Shared by the GLM, GLMM and GEE fitters so
 * that every model computes mu, its derivative and the deviance the way R does.
 */

import gammaln from '@stdlib/math-base-special-gammaln';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { qnorm } from '../distributions/qnorm.ts';
import { TiltakError } from '../errors.ts';

/** Link names as R spells them. */
export type LinkName = 'logit' | 'probit' | 'cloglog' | 'log' | 'identity';

/** Family names as R spells them. */
export type FamilyName = 'binomial' | 'poisson' | 'gaussian';

/**
 * A link function with its inverse and the derivative of the inverse (`mu.eta`).
 *
 * @example
 * const l = makeLink('logit');
 * l.linkinv(0); // 0.5
 */
export interface Link {
  readonly name: LinkName;
  linkfun(mu: number): number;
  linkinv(eta: number): number;
  muEta(eta: number): number;
}

/**
 * A GLM family: variance function, deviance residual, AIC and validity of the mean.
 *
 * @example
 * const f = makeFamily('poisson');
 * f.variance(2); // 2
 */
export interface Family {
  readonly name: FamilyName;
  readonly link: Link;
  /** Variance function V(mu). */
  variance(mu: number): number;
  /** One observation's deviance contribution, R's `dev.resids(y, mu, wt)`. */
  devResid(y: number, mu: number, wt: number): number;
  /**
   * R's `family$aic(y, n, mu, wt, dev)`: -2 log-likelihood (plus 2 for gaussian's variance
   * parameter, as R). `n` is the binomial trial count per row (1 for 0/1 data).
   */
  aic(y: Float64Array, n: Float64Array, mu: Float64Array, wt: Float64Array, dev: number): number;
  /** True when every mean is inside the family's range (R's `validmu`). */
  validMu(mu: Float64Array): boolean;
  /** Starting mean for one observation, as `family$initialize` (`y` a proportion for binomial). */
  muStart(y: number, wt: number): number;
  /** True when the dispersion is fixed at 1 (binomial, poisson): z tests, not t. */
  readonly fixedDispersion: boolean;
}

const DBL_EPS = 2 ** -52;
const THRESH = 30;
const MTHRESH = -30;
const INVEPS = 1 / DBL_EPS;
const PROBIT_THRESH = -qnorm(DBL_EPS);

function dnorm(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

const LINKS: Record<LinkName, Link> = {
  logit: {
    name: 'logit',
    linkfun: (mu) => Math.log(mu / (1 - mu)),
    linkinv: (eta) => {
      const t = eta < MTHRESH ? DBL_EPS : eta > THRESH ? INVEPS : Math.exp(eta);
      return t / (1 + t);
    },
    muEta: (eta) => {
      const opexp = 1 + Math.exp(eta);
      return eta > THRESH || eta < MTHRESH ? DBL_EPS : Math.exp(eta) / (opexp * opexp);
    },
  },
  probit: {
    name: 'probit',
    linkfun: (mu) => qnorm(mu),
    linkinv: (eta) => normalCdf(Math.min(Math.max(eta, -PROBIT_THRESH), PROBIT_THRESH), 0, 1),
    muEta: (eta) => Math.max(dnorm(eta), DBL_EPS),
  },
  cloglog: {
    name: 'cloglog',
    linkfun: (mu) => Math.log(-Math.log(1 - mu)),
    linkinv: (eta) => Math.max(Math.min(-Math.expm1(-Math.exp(eta)), 1 - DBL_EPS), DBL_EPS),
    muEta: (eta) => {
      const e = Math.min(eta, 700);
      return Math.max(Math.exp(e) * Math.exp(-Math.exp(e)), DBL_EPS);
    },
  },
  log: {
    name: 'log',
    linkfun: (mu) => Math.log(mu),
    linkinv: (eta) => Math.max(Math.exp(eta), DBL_EPS),
    muEta: (eta) => Math.max(Math.exp(eta), DBL_EPS),
  },
  identity: {
    name: 'identity',
    linkfun: (mu) => mu,
    linkinv: (eta) => eta,
    muEta: () => 1,
  },
};

const ALLOWED: Record<FamilyName, readonly LinkName[]> = {
  binomial: ['logit', 'probit', 'cloglog', 'log'],
  poisson: ['log', 'identity'],
  gaussian: ['identity', 'log'],
};

const CANONICAL: Record<FamilyName, LinkName> = {
  binomial: 'logit',
  poisson: 'log',
  gaussian: 'identity',
};

/**
 * The link of that name, as R's `make.link`.
 *
 * @example
 * makeLink('cloglog').linkinv(0); // 0.632…
 */
export function makeLink(name: LinkName): Link {
  const link = LINKS[name];
  if (link === undefined) throw new TiltakError('UNKNOWN_LINK', `unknown link '${String(name)}'`);
  return link;
}

function yLogY(y: number, mu: number): number {
  return y !== 0 ? y * Math.log(y / mu) : 0;
}

function logDbinom(k: number, size: number, p: number): number {
  if (size === 0) return 0;
  const lchoose = gammaln(size + 1) - gammaln(k + 1) - gammaln(size - k + 1);
  const a = k === 0 ? 0 : k * Math.log(p);
  const b = size - k === 0 ? 0 : (size - k) * Math.log1p(-p);
  return lchoose + a + b;
}

function binomialFamily(link: Link): Family {
  return {
    name: 'binomial',
    link,
    fixedDispersion: true,
    variance: (mu) => mu * (1 - mu),
    devResid: (y, mu, wt) => 2 * wt * (yLogY(y, mu) + yLogY(1 - y, 1 - mu)),
    aic: (y, n, mu, wt) => {
      // R: m <- if (any(n > 1)) n else wt; -2 * sum(ifelse(m > 0, wt / m, 0) * dbinom(...)).
      let anyN = false;
      for (let i = 0; i < n.length; i++) if (n[i]! > 1) anyN = true;
      let s = 0;
      for (let i = 0; i < y.length; i++) {
        const m = anyN ? n[i]! : wt[i]!;
        if (m <= 0) continue;
        s += (wt[i]! / m) * logDbinom(Math.round(m * y[i]!), Math.round(m), mu[i]!);
      }
      return -2 * s;
    },
    validMu: (mu) => {
      for (let i = 0; i < mu.length; i++) {
        const m = mu[i]!;
        if (!(Number.isFinite(m) && m > 0 && m < 1)) return false;
      }
      return true;
    },
    muStart: (y, wt) => (wt * y + 0.5) / (wt + 1),
  };
}

function poissonFamily(link: Link): Family {
  return {
    name: 'poisson',
    link,
    fixedDispersion: true,
    variance: (mu) => mu,
    devResid: (y, mu, wt) => (y > 0 ? 2 * wt * (y * Math.log(y / mu) - (y - mu)) : 2 * mu * wt),
    aic: (y, _n, mu, wt) => {
      let s = 0;
      for (let i = 0; i < y.length; i++) {
        const yi = y[i]!;
        s += wt[i]! * (yi * Math.log(mu[i]!) - mu[i]! - gammaln(yi + 1));
      }
      return -2 * s;
    },
    validMu: (mu) => {
      for (let i = 0; i < mu.length; i++) {
        const m = mu[i]!;
        if (!(Number.isFinite(m) && m > 0)) return false;
      }
      return true;
    },
    muStart: (y) => y + 0.1,
  };
}

function gaussianFamily(link: Link): Family {
  return {
    name: 'gaussian',
    link,
    fixedDispersion: false,
    variance: () => 1,
    devResid: (y, mu, wt) => wt * (y - mu) * (y - mu),
    aic: (y, _n, _mu, wt, dev) => {
      // R: nobs <- length(y); nobs * (log(2 * pi * dev / nobs) + 1) + 2 - sum(log(wt)) with
      // zero weights dropped from both nobs and the log sum.
      let nobs = 0;
      let logw = 0;
      for (let i = 0; i < y.length; i++) {
        if (wt[i]! > 0) {
          nobs += 1;
          logw += Math.log(wt[i]!);
        }
      }
      return nobs * (Math.log((2 * Math.PI * dev) / nobs) + 1) + 2 - logw;
    },
    validMu: () => true,
    muStart: (y) => y,
  };
}

/**
 * A GLM family with the given link (its canonical link by default), as R's `binomial(link)`,
 * `poisson(link)`, `gaussian(link)`. Throws `UNKNOWN_FAMILY` or `UNSUPPORTED_LINK`.
 *
 * @example
 * const f = makeFamily('binomial', 'probit');
 * f.link.linkinv(0); // 0.5
 * f.devResid(1, 0.5, 1); // 2 * log(2)
 */
export function makeFamily(name: FamilyName, linkName?: LinkName): Family {
  const allowed = ALLOWED[name];
  if (allowed === undefined) {
    throw new TiltakError(
      'UNKNOWN_FAMILY',
      `unknown family '${String(name)}'; use binomial, poisson or gaussian`,
    );
  }
  const ln = linkName ?? CANONICAL[name];
  if (!allowed.includes(ln)) {
    throw new TiltakError(
      'UNSUPPORTED_LINK',
      `the ${name} family takes the link ${allowed.join(', ')}, not '${String(ln)}'`,
    );
  }
  const link = makeLink(ln);
  if (name === 'binomial') return binomialFamily(link);
  if (name === 'poisson') return poissonFamily(link);
  return gaussianFamily(link);
}
