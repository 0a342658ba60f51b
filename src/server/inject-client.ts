import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

/**
 * A signed-in (or anonymous) client of the app over `app.inject`, keeping cookies and the CSRF
 * token like a browser would. For tests and the benchmark.
 *
 * @example
 * const c = await InjectClient.login(app, 'admin', 'demo-admin-2016');
 * const res = await c.get('/api/overview');
 */
export class InjectClient {
  readonly #app: FastifyInstance;
  readonly #cookies = new Map<string, string>();
  #csrf = '';

  private constructor(app: FastifyInstance) {
    this.#app = app;
  }

  /**
   * An anonymous client that has fetched its CSRF token.
   *
   * @example
   * const anon = await InjectClient.anonymous(app);
   */
  static async anonymous(app: FastifyInstance): Promise<InjectClient> {
    const c = new InjectClient(app);
    await c.refreshCsrf();
    return c;
  }

  /**
   * A client signed in as `username`; throws when the login fails.
   *
   * @example
   * const coord = await InjectClient.login(app, 'koordinator', 'demo-koordinator-2016');
   */
  static async login(
    app: FastifyInstance,
    username: string,
    password: string,
  ): Promise<InjectClient> {
    const c = await InjectClient.anonymous(app);
    const res = await c.post('/api/login', { username, password });
    if (res.statusCode !== 200) throw new Error(`login as ${username} failed: ${res.body}`);
    await c.refreshCsrf();
    return c;
  }

  /**
   * The cookie header this client sends.
   *
   * @example
   * c.cookieHeader(); // 'tiltak_csrf=…; tiltak_session=…'
   */
  cookieHeader(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /**
   * The CSRF token this client sends on state-changing requests.
   *
   * @example
   * c.csrfToken();
   */
  csrfToken(): string {
    return this.#csrf;
  }

  /**
   * Fetch a fresh CSRF token from `GET /api/session`.
   *
   * @example
   * await c.refreshCsrf();
   */
  async refreshCsrf(): Promise<void> {
    const res = await this.get('/api/session');
    this.#csrf = (res.json() as { csrfToken: string }).csrfToken;
  }

  /**
   * GET a URL.
   *
   * @example
   * await c.get('/api/families?search=F-0');
   */
  get(url: string): Promise<LightMyRequestResponse> {
    return this.request({ method: 'GET', url });
  }

  /**
   * POST a JSON body (with the CSRF token).
   *
   * @example
   * await c.post('/api/logout');
   */
  post(url: string, body?: unknown): Promise<LightMyRequestResponse> {
    return this.request({
      method: 'POST',
      url,
      ...(body === undefined ? {} : { payload: body as object }),
    });
  }

  /**
   * PUT a JSON body (with the CSRF token).
   *
   * @example
   * await c.put(url, { answers: { wai01: 4 } });
   */
  put(url: string, body: unknown): Promise<LightMyRequestResponse> {
    return this.request({ method: 'PUT', url, payload: body as object });
  }

  /**
   * Any request, with this client's cookies and CSRF header; remembers cookies set in the reply.
   *
   * @example
   * await c.request({ method: 'DELETE', url: '/api/x' });
   */
  async request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...(options.headers as Record<string, string>) };
    if (this.#cookies.size > 0) headers.cookie = this.cookieHeader();
    if (options.method !== 'GET' && this.#csrf !== '') headers['x-csrf-token'] = this.#csrf;
    const res = await this.#app.inject({ ...options, headers });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (c.value === '' || c.maxAge === 0) this.#cookies.delete(c.name);
      else this.#cookies.set(c.name, c.value);
    }
    return res;
  }
}
