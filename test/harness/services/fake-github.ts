// The one fake we accept: github.com is out of reach, so this loopback server implements the REST
// endpoints our actions call, with request/response field names and status codes following GitHub's
// published OpenAPI description (github/rest-api-description). It keeps state in memory and records
// every request for assertions.
//   const gh = await startFakeGitHub({ readOnlyTokens: ['fork-token'] });
//   getOctokit('t', { baseUrl: gh.url })   // or GITHUB_API_URL=gh.url for the action under test
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

type Json = Record<string, unknown>;

interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when there was none). */
  body: unknown;
  /** Status the fake answered with. */
  status: number;
  token?: string;
}

export interface FakeGitHubOptions {
  /** Tokens that may read but get 403 "Resource not accessible by integration" on writes (fork PRs). */
  readOnlyTokens?: string[];
  /** When set, only these (and readOnlyTokens) are valid; others get 401 Bad credentials. */
  tokens?: string[];
  /** GET .../code-scanning/sarifs/{id} answers `pending` this many times before the final state (default 1). */
  sarifPendingPolls?: number;
}

/** A one-shot injected error, matched on method and path (string = exact path, RegExp = test). */
interface InjectedError {
  method?: string;
  path?: string | RegExp;
  status: number;
  message?: string;
  headers?: Record<string, string>;
}

interface SarifUpload {
  id: string;
  owner: string;
  repo: string;
  commit_sha: string;
  ref: string;
  checkout_uri?: string;
  tool_name?: string;
  /** The decoded SARIF document (base64 → gunzip → JSON), or undefined when it did not parse. */
  sarif: unknown;
  errors: string[];
  polls: number;
}

interface FakeState {
  comments: Array<Json & { owner: string; repo: string; issue_number: number }>;
  sarifs: Map<string, SarifUpload>;
  deployments: Array<Json & { owner: string; repo: string; id: number }>;
  deploymentStatuses: Map<number, Json[]>;
  runs: Map<string, Json>;
  pulls: Map<string, Json>;
  /** Seed a workflow run (GET /repos/{o}/{r}/actions/runs/{id}); missing fields get plausible defaults. */
  addRun(owner: string, repo: string, run: Json & { id: number }): Json;
  /** Seed a pull request (GET /repos/{o}/{r}/pulls/{n}); `fork: true` makes head a fork repository. */
  addPull(owner: string, repo: string, pull: Json & { number: number; fork?: boolean }): Json;
}

export interface FakeGitHub {
  /** Base URL, usable as GITHUB_API_URL or Octokit's baseUrl. */
  url: string;
  requests: RecordedRequest[];
  state: FakeState;
  inject(err: InjectedError): void;
  stop(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';
const BOT = { login: 'github-actions[bot]', id: 41898282, node_id: 'MDM6Qm90NDE4OTgyODI=', type: 'Bot', site_admin: false };
const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const nodeId = (kind: string, id: number | string): string => Buffer.from(`${kind}${id}`).toString('base64');
const fakeSha = (s: string): string => createHash('sha1').update(s).digest('hex');
const SHA = /^[0-9a-f]{40}$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Json = {},
  ) {
    super(message);
  }
}

export async function startFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const readOnly = new Set(opts.readOnlyTokens ?? []);
  const valid = opts.tokens ? new Set([...opts.tokens, ...readOnly]) : undefined;
  const pendingPolls = opts.sarifPendingPolls ?? 1;
  const requests: RecordedRequest[] = [];
  const injected: InjectedError[] = [];
  let base = '';
  let nextId = 1000;
  const repoUrl = (o: string, r: string): string => `${base}/repos/${o}/${r}`;
  const user = (): Json => ({ ...BOT, url: `${base}/users/${encodeURIComponent(BOT.login)}`, html_url: 'https://github.com/apps/github-actions' });

  const state: FakeState = {
    comments: [],
    sarifs: new Map(),
    deployments: [],
    deploymentStatuses: new Map(),
    runs: new Map(),
    pulls: new Map(),
    addRun(owner, repo, run) {
      const u = `${repoUrl(owner, repo)}/actions/runs/${run.id}`;
      const full = {
        name: 'CI',
        node_id: nodeId('WorkflowRun', run.id),
        head_branch: 'main',
        head_sha: fakeSha(`run${run.id}`),
        path: '.github/workflows/ci.yml',
        display_title: 'CI',
        run_number: 1,
        run_attempt: 1,
        event: 'push',
        status: 'in_progress',
        conclusion: null,
        workflow_id: 1,
        check_suite_id: run.id,
        url: u,
        html_url: `https://github.com/${owner}/${repo}/actions/runs/${run.id}`,
        pull_requests: [],
        created_at: now(),
        updated_at: now(),
        run_started_at: now(),
        actor: user(),
        triggering_actor: user(),
        jobs_url: `${u}/jobs`,
        logs_url: `${u}/logs`,
        artifacts_url: `${u}/artifacts`,
        cancel_url: `${u}/cancel`,
        rerun_url: `${u}/rerun`,
        check_suite_url: `${repoUrl(owner, repo)}/check-suites/${run.id}`,
        workflow_url: `${repoUrl(owner, repo)}/actions/workflows/1`,
        previous_attempt_url: null,
        repository: repoLite(owner, repo),
        head_repository: repoLite(owner, repo),
        ...run,
      };
      state.runs.set(`${owner}/${repo}/${run.id}`, full);
      return full;
    },
    addPull(owner, repo, { fork = false, ...pull }) {
      const headOwner = fork ? 'forker' : owner;
      const full = {
        id: 5000 + pull.number,
        node_id: nodeId('PullRequest', pull.number),
        url: `${repoUrl(owner, repo)}/pulls/${pull.number}`,
        html_url: `https://github.com/${owner}/${repo}/pull/${pull.number}`,
        state: 'open',
        locked: false,
        title: `PR ${pull.number}`,
        body: null,
        user: user(),
        labels: [],
        draft: false,
        merged: false,
        mergeable: null,
        created_at: now(),
        updated_at: now(),
        head: { label: `${headOwner}:feature`, ref: 'feature', sha: fakeSha(`head${pull.number}`), user: { login: headOwner }, repo: { ...repoLite(headOwner, repo), fork } },
        base: { label: `${owner}:main`, ref: 'main', sha: fakeSha(`base${pull.number}`), user: { login: owner }, repo: { ...repoLite(owner, repo), fork: false } },
        ...pull,
      };
      state.pulls.set(`${owner}/${repo}/${pull.number}`, full);
      return full;
    },
  };
  function repoLite(owner: string, repo: string): Json {
    return {
      id: 1,
      node_id: nodeId('Repository', `${owner}/${repo}`),
      name: repo,
      full_name: `${owner}/${repo}`,
      owner: { login: owner },
      private: false,
      html_url: `https://github.com/${owner}/${repo}`,
      url: repoUrl(owner, repo),
      fork: false,
    };
  }

  /** Slice `items` by per_page/page and set GitHub-style Link headers (absolute URLs, rel next/last/first/prev). */
  function paginate<T>(res: ServerResponse, path: string, query: Record<string, string>, items: T[]): T[] {
    const per = Math.min(Math.max(Number(query.per_page) || 30, 1), 100);
    const page = Math.max(Number(query.page) || 1, 1);
    const last = Math.max(Math.ceil(items.length / per), 1);
    const link = (p: number, rel: string): string => {
      const q = new URLSearchParams({ ...query, per_page: String(per), page: String(p) });
      return `<${base}${path}?${q}>; rel="${rel}"`;
    };
    const links = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    if (links.length) res.setHeader('Link', links.join(', '));
    return items.slice((page - 1) * per, page * per);
  }

  const need = (cond: unknown, message: string): void => {
    if (!cond) throw new HttpError(422, `Invalid request.\n\n${message}`);
  };
  const commentJson = ({ owner: _o, repo: _r, issue_number: _n, ...c }: FakeState['comments'][number]): Json => c;
  const findComment = (o: string, r: string, id: number): FakeState['comments'][number] => {
    const c = state.comments.find((x) => x.owner === o && x.repo === r && x.id === id);
    if (!c) throw new HttpError(404, 'Not Found');
    return c;
  };
  const findDeployment = (o: string, r: string, id: number): FakeState['deployments'][number] => {
    const d = state.deployments.find((x) => x.owner === o && x.repo === r && x.id === id);
    if (!d) throw new HttpError(404, 'Not Found');
    return d;
  };
  const deploymentJson = ({ owner: _o, repo: _r, ...d }: FakeState['deployments'][number]): Json => d;
  function addStatus(d: FakeState['deployments'][number], b: Json): Json {
    const id = nextId++;
    const logUrl = (b.log_url ?? b.target_url ?? '') as string;
    if (typeof b.environment === 'string') d.environment = b.environment;
    const s = {
      url: `${d.url}/statuses/${id}`,
      id,
      node_id: nodeId('DeploymentStatus', id),
      state: b.state,
      creator: user(),
      description: b.description ?? '',
      environment: d.environment,
      target_url: logUrl,
      log_url: logUrl,
      environment_url: b.environment_url ?? '',
      created_at: now(),
      updated_at: now(),
      deployment_url: d.url,
      repository_url: d.repository_url,
    };
    state.deploymentStatuses.set(d.id, [...(state.deploymentStatuses.get(d.id) ?? []), s]);
    return s;
  }

  type Handler = (m: string[], q: Record<string, string>, body: Json, res: ServerResponse) => [number, unknown];
  const routes: Array<[string, RegExp, Handler]> = [
    // --- issue comments -----------------------------------------------------------------------
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      ([o, r, n], q, _b, res) => {
        const since = q.since ? Date.parse(q.since) : 0;
        const all = state.comments.filter((c) => c.owner === o && c.repo === r && c.issue_number === Number(n) && Date.parse(c.updated_at as string) >= since);
        return [200, paginate(res, `/repos/${o}/${r}/issues/${n}/comments`, q, all).map(commentJson)];
      },
    ],
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      ([o, r, n], _q, b) => {
        checkBody(b);
        const id = nextId++;
        const c = {
          owner: o,
          repo: r,
          issue_number: Number(n),
          id,
          node_id: nodeId('IssueComment', id),
          url: `${repoUrl(o, r)}/issues/comments/${id}`,
          html_url: `https://github.com/${o}/${r}/issues/${n}#issuecomment-${id}`,
          issue_url: `${repoUrl(o, r)}/issues/${n}`,
          body: b.body,
          user: user(),
          author_association: 'NONE',
          created_at: now(),
          updated_at: now(),
          performed_via_github_app: null,
        };
        state.comments.push(c);
        return [201, commentJson(c)];
      },
    ],
    ['GET', /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/, ([o, r, id]) => [200, commentJson(findComment(o, r, Number(id)))]],
    [
      'PATCH',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      ([o, r, id], _q, b) => {
        const c = findComment(o, r, Number(id));
        checkBody(b);
        Object.assign(c, { body: b.body, updated_at: now() });
        return [200, commentJson(c)];
      },
    ],
    [
      'DELETE',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      ([o, r, id]) => {
        const c = findComment(o, r, Number(id));
        state.comments.splice(state.comments.indexOf(c), 1);
        return [204, undefined];
      },
    ],
    // --- code scanning SARIF upload ----------------------------------------------------------
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/code-scanning\/sarifs$/,
      ([o, r], _q, b) => {
        need(typeof b.commit_sha === 'string' && SHA.test(b.commit_sha), '"commit_sha" must be a 40-character commit SHA.');
        need(typeof b.ref === 'string' && /^refs\/(heads|tags|pull)\/.+/.test(b.ref), '"ref" must be refs/heads/<branch>, refs/tags/<tag> or refs/pull/<n>/(merge|head).');
        need(typeof b.sarif === 'string' && b.sarif.length > 0, '"sarif" wasn\'t supplied.');
        const gz = Buffer.from(b.sarif as string, 'base64');
        if (gz.length > 10 * 1024 * 1024) throw new HttpError(413, 'SARIF file is too large (limit is 10 MB gzip-compressed)');
        const upload: SarifUpload = {
          id: randomUUID(),
          owner: o,
          repo: r,
          commit_sha: b.commit_sha as string,
          ref: b.ref as string,
          checkout_uri: b.checkout_uri as string | undefined,
          tool_name: b.tool_name as string | undefined,
          sarif: undefined,
          errors: [],
          polls: 0,
        };
        // Decoding problems surface later as a `failed` processing status, as on GitHub.
        try {
          upload.sarif = JSON.parse(gunzipSync(gz).toString('utf8'));
          const doc = upload.sarif as Json;
          if (doc.version !== '2.1.0') upload.errors.push(`SARIF version ${String(doc.version)} is not supported; use 2.1.0`);
          if (!Array.isArray(doc.runs)) upload.errors.push('SARIF is missing the "runs" array');
        } catch (e) {
          upload.errors.push(`could not decode SARIF: ${(e as Error).message}`);
        }
        state.sarifs.set(upload.id, upload);
        return [202, { id: upload.id, url: `${repoUrl(o, r)}/code-scanning/sarifs/${upload.id}` }];
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/code-scanning\/sarifs\/([^/]+)$/,
      ([o, r, id]) => {
        const u = state.sarifs.get(id);
        if (!u || u.owner !== o || u.repo !== r) throw new HttpError(404, 'Not Found');
        if (u.polls++ < pendingPolls) return [200, { processing_status: 'pending', analyses_url: null, errors: null }];
        if (u.errors.length) return [200, { processing_status: 'failed', analyses_url: null, errors: u.errors }];
        return [200, { processing_status: 'complete', analyses_url: `${repoUrl(o, r)}/code-scanning/analyses?sarif_id=${id}`, errors: null }];
      },
    ],
    // --- deployments and deployment statuses -------------------------------------------------
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/deployments$/,
      ([o, r], _q, b) => {
        need(typeof b.ref === 'string' && b.ref !== '', '"ref" wasn\'t supplied.');
        const id = nextId++;
        const environment = (b.environment as string | undefined) ?? 'production';
        const d = {
          owner: o,
          repo: r,
          url: `${repoUrl(o, r)}/deployments/${id}`,
          id,
          node_id: nodeId('Deployment', id),
          sha: SHA.test(b.ref as string) ? b.ref : fakeSha(b.ref as string),
          ref: b.ref,
          task: b.task ?? 'deploy',
          payload: b.payload ?? {},
          original_environment: environment,
          environment,
          description: b.description ?? '',
          creator: user(),
          created_at: now(),
          updated_at: now(),
          statuses_url: `${repoUrl(o, r)}/deployments/${id}/statuses`,
          repository_url: repoUrl(o, r),
          transient_environment: b.transient_environment ?? false,
          production_environment: b.production_environment ?? environment === 'production',
        };
        state.deployments.push(d);
        return [201, deploymentJson(d)];
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/deployments$/,
      ([o, r], q, _b, res) => {
        const match = (d: Json): boolean => ['sha', 'ref', 'task', 'environment'].every((k) => q[k] === undefined || d[k] === q[k]);
        const all = state.deployments.filter((d) => d.owner === o && d.repo === r && match(d)).reverse(); // newest first
        return [200, paginate(res, `/repos/${o}/${r}/deployments`, q, all).map(deploymentJson)];
      },
    ],
    ['GET', /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)$/, ([o, r, id]) => [200, deploymentJson(findDeployment(o, r, Number(id)))]],
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/,
      ([o, r, id], _q, b) => {
        const d = findDeployment(o, r, Number(id));
        const states = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
        need(states.includes(b.state as string), `"state" must be one of ${states.join(', ')}.`);
        const s = addStatus(d, b);
        // auto_inactive (default true): earlier successful, non-transient, non-production deployments
        // to the same environment get an `inactive` status.
        if (b.state === 'success' && b.auto_inactive !== false) {
          for (const other of state.deployments) {
            const last = state.deploymentStatuses.get(other.id)?.at(-1);
            if (
              other !== d &&
              other.owner === o &&
              other.repo === r &&
              other.environment === d.environment &&
              !other.transient_environment &&
              !other.production_environment &&
              last?.state === 'success'
            ) {
              addStatus(other, { state: 'inactive' });
            }
          }
        }
        return [201, s];
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/,
      ([o, r, id], q, _b, res) => {
        const d = findDeployment(o, r, Number(id));
        const all = [...(state.deploymentStatuses.get(d.id) ?? [])].reverse(); // newest first
        return [200, paginate(res, `/repos/${o}/${r}/deployments/${id}/statuses`, q, all)];
      },
    ],
    // --- workflow runs and pull requests (seeded by the test through state.addRun/addPull) ---
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)$/,
      ([o, r, id]) => {
        const run = state.runs.get(`${o}/${r}/${id}`);
        if (!run) throw new HttpError(404, 'Not Found');
        return [200, run];
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/,
      ([o, r, n]) => {
        const pr = state.pulls.get(`${o}/${r}/${n}`);
        if (!pr) throw new HttpError(404, 'Not Found');
        return [200, pr];
      },
    ],
  ];

  function checkBody(b: Json): void {
    need(typeof b.body === 'string', '"body" wasn\'t supplied.');
    if ((b.body as string).length > 65536) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }],
      });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(u.searchParams);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const auth = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const rec: RecordedRequest = { method, path: u.pathname, query, headers: req.headers, body: undefined, status: 0, token: auth?.[1] };
    requests.push(rec);

    let status: number;
    let payload: unknown;
    try {
      if (raw) {
        try {
          rec.body = JSON.parse(raw);
        } catch {
          throw new HttpError(400, 'Problems parsing JSON');
        }
      }
      if (!auth) throw new HttpError(401, 'Requires authentication');
      if (valid && !valid.has(auth[1])) throw new HttpError(401, 'Bad credentials');
      const i = injected.findIndex((e) => (!e.method || e.method === method) && (!e.path || (typeof e.path === 'string' ? e.path === u.pathname : e.path.test(u.pathname))));
      if (i >= 0) {
        const [e] = injected.splice(i, 1);
        for (const [k, v] of Object.entries(e.headers ?? {})) res.setHeader(k, v);
        throw new HttpError(e.status, e.message ?? `injected ${e.status}`);
      }
      const route = routes.find(([m, re]) => m === method && re.test(u.pathname));
      if (!route) throw new HttpError(404, 'Not Found');
      if (method !== 'GET' && readOnly.has(auth[1])) throw new HttpError(403, 'Resource not accessible by integration');
      const params = route[1].exec(u.pathname)!.slice(1).map(decodeURIComponent);
      [status, payload] = route[2](params, query, (rec.body ?? {}) as Json, res);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      status = e.status;
      payload = { message: e.message, documentation_url: DOCS, status: String(e.status), ...e.extra };
    }
    rec.status = status;
    res.setHeader('X-GitHub-Request-Id', randomUUID());
    res.setHeader('X-GitHub-Api-Version-Selected', '2022-11-28');
    res.setHeader('X-RateLimit-Limit', '5000');
    res.setHeader('X-RateLimit-Remaining', String(Math.max(5000 - requests.length, 0)));
    res.setHeader('X-RateLimit-Used', String(requests.length));
    res.setHeader('X-RateLimit-Reset', String(Math.floor(Date.now() / 1000) + 3600));
    res.setHeader('X-RateLimit-Resource', 'core');
    if (payload === undefined) return void res.writeHead(status).end();
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: `fake-github internal error: ${String(e)}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    state,
    inject: (e) => void injected.push(e),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
