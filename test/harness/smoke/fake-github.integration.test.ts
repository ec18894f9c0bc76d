// The fake GitHub REST API answers the real Octokit client (@actions/github) the way GitHub does:
// pagination through Link headers, 403 for read-only (fork PR) tokens, SARIF processing states,
// deployment statuses with auto_inactive, seeded workflow runs and pull requests.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { gzipSync } from 'node:zlib';
import { startFakeGitHub, type FakeGitHub } from '../services/fake-github.js';

jest.setTimeout(120_000);
const repo = { owner: 'acme', repo: 'app' };

let gh: FakeGitHub;
let octokit: ReturnType<typeof getOctokit>;
beforeAll(async () => {
  gh = await startFakeGitHub({ readOnlyTokens: ['fork-token'] });
  octokit = getOctokit('ghs_test', { baseUrl: gh.url });
});
afterAll(async () => gh.stop());

const sarifB64 = (doc: unknown): string => gzipSync(JSON.stringify(doc)).toString('base64');

describe('fake GitHub: issue comments', () => {
  it('creates, paginates (Link headers) and updates comments', async () => {
    for (let i = 1; i <= 75; i++) {
      const { status, data } = await octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: `comment ${i}` });
      expect(status).toBe(201);
      expect(data.body).toBe(`comment ${i}`);
    }
    const before = gh.requests.length;
    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: 7, per_page: 30 });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 75 }, (_, i) => `comment ${i + 1}`));
    // Octokit followed rel="next" three times: pages 1, 2, 3.
    const pages = gh.requests.slice(before).map((r) => [r.method, r.path, r.query.page ?? '1']);
    expect(pages).toEqual([
      ['GET', '/repos/acme/app/issues/7/comments', '1'],
      ['GET', '/repos/acme/app/issues/7/comments', '2'],
      ['GET', '/repos/acme/app/issues/7/comments', '3'],
    ]);
    // The Link header itself, on a middle page.
    const mid = await fetch(`${gh.url}/repos/acme/app/issues/7/comments?per_page=30&page=2`, { headers: { Authorization: 'Bearer ghs_test' } });
    const link = mid.headers.get('link') ?? '';
    for (const [rel, page] of [
      ['prev', 1],
      ['next', 3],
      ['last', 3],
      ['first', 1],
    ] as const) {
      expect(link).toContain(`<${gh.url}/repos/acme/app/issues/7/comments?per_page=30&page=${page}>; rel="${rel}"`);
    }
    expect((await mid.json()) as unknown[]).toHaveLength(30);

    // Upsert: find our comment, then PATCH it.
    const target = all.find((c) => c.body === 'comment 42')!;
    expect(target.user?.login).toBe('github-actions[bot]');
    const upd = await octokit.rest.issues.updateComment({ ...repo, comment_id: target.id, body: '<!-- marker --> updated' });
    expect(upd.status).toBe(200);
    expect(upd.data).toMatchObject({ id: target.id, body: '<!-- marker --> updated', issue_url: `${gh.url}/repos/acme/app/issues/7` });
    const patch = gh.requests.at(-1)!;
    expect(patch).toMatchObject({ method: 'PATCH', path: `/repos/acme/app/issues/comments/${target.id}`, body: { body: '<!-- marker --> updated' }, status: 200 });
    expect(patch.headers.authorization).toBe('token ghs_test');
    expect(patch.headers['user-agent']).toMatch(/octokit/);
    const again = await octokit.rest.issues.getComment({ ...repo, comment_id: target.id });
    expect(again.data.body).toBe('<!-- marker --> updated');
  });

  it('rejects over-long bodies with 422 like GitHub', async () => {
    await expect(octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: 'x'.repeat(65537) })).rejects.toMatchObject({ status: 422 });
  });

  it('gives a read-only (fork PR) token 403 on writes but lets it read; no token is 401', async () => {
    const fork = getOctokit('fork-token', { baseUrl: gh.url });
    const err = await fork.rest.issues.createComment({ ...repo, issue_number: 7, body: 'nope' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403, message: expect.stringContaining('Resource not accessible by integration') });
    const sarif = await fork.rest.codeScanning.uploadSarif({ ...repo, commit_sha: 'a'.repeat(40), ref: 'refs/pull/1/merge', sarif: sarifB64({}) }).catch((e: unknown) => e);
    expect(sarif).toMatchObject({ status: 403 });
    const read = await fork.rest.issues.listComments({ ...repo, issue_number: 7, per_page: 5 });
    expect(read.data).toHaveLength(5);
    expect((await fetch(`${gh.url}/repos/acme/app/issues/7/comments`)).status).toBe(401);
  });
});

describe('fake GitHub: code scanning', () => {
  it('accepts a gzip+base64 SARIF, reports pending then complete, and keeps the decoded document', async () => {
    const doc = { version: '2.1.0', runs: [{ tool: { driver: { name: 'gitleaks', rules: [] } }, results: [] }] };
    const up = await octokit.rest.codeScanning.uploadSarif({ ...repo, commit_sha: 'b'.repeat(40), ref: 'refs/heads/main', sarif: sarifB64(doc), tool_name: 'gitleaks' });
    expect(up.status).toBe(202);
    expect(up.data.url).toBe(`${gh.url}/repos/acme/app/code-scanning/sarifs/${up.data.id}`);
    const poll = () => octokit.rest.codeScanning.getSarif({ ...repo, sarif_id: up.data.id! });
    expect((await poll()).data).toEqual({ processing_status: 'pending', analyses_url: null, errors: null });
    const done = (await poll()).data;
    expect(done.processing_status).toBe('complete');
    expect(done.analyses_url).toContain(`sarif_id=${up.data.id}`);
    expect(gh.state.sarifs.get(up.data.id!)).toMatchObject({ sarif: doc, ref: 'refs/heads/main', tool_name: 'gitleaks' });
  });

  it('fails processing of a broken SARIF and validates commit_sha with 422', async () => {
    const up = await octokit.rest.codeScanning.uploadSarif({ ...repo, commit_sha: 'c'.repeat(40), ref: 'refs/heads/main', sarif: Buffer.from('not gzip').toString('base64') });
    await octokit.rest.codeScanning.getSarif({ ...repo, sarif_id: up.data.id! });
    const failed = (await octokit.rest.codeScanning.getSarif({ ...repo, sarif_id: up.data.id! })).data;
    expect(failed.processing_status).toBe('failed');
    expect(failed.errors?.[0]).toMatch(/could not decode SARIF/);
    await expect(octokit.rest.codeScanning.uploadSarif({ ...repo, commit_sha: 'main', ref: 'refs/heads/main', sarif: sarifB64({}) })).rejects.toMatchObject({ status: 422 });
  });
});

describe('fake GitHub: deployments', () => {
  it('creates deployments and statuses; a new success marks the previous one inactive', async () => {
    const mk = async (ref: string): Promise<number> => {
      const { status, data } = await octokit.rest.repos.createDeployment({
        ...repo,
        ref,
        environment: 'staging',
        auto_merge: false,
        required_contexts: [],
        payload: { chart: 'web' },
      });
      expect(status).toBe(201);
      if (!('id' in data)) throw new Error('expected a deployment');
      expect(data).toMatchObject({ ref, environment: 'staging', task: 'deploy', production_environment: false, payload: { chart: 'web' } });
      return data.id;
    };
    const first = await mk('v1.0.0');
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: first, state: 'success', environment_url: 'https://staging.example.invalid' });
    const second = await mk('v1.1.0');
    const inProgress = await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: second, state: 'in_progress', log_url: 'https://ci.example.invalid/run/1' });
    expect(inProgress.data).toMatchObject({
      state: 'in_progress',
      target_url: 'https://ci.example.invalid/run/1',
      deployment_url: `${gh.url}/repos/acme/app/deployments/${second}`,
    });
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: second, state: 'success' });

    const firstStatuses = (await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: first })).data.map((s) => s.state);
    expect(firstStatuses).toEqual(['inactive', 'success']); // newest first
    const list = (await octokit.rest.repos.listDeployments({ ...repo, environment: 'staging' })).data.map((d) => d.id);
    expect(list).toEqual([second, first]);
    await expect(octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: 999999, state: 'success' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('fake GitHub: runs, pulls, injected errors', () => {
  it('serves seeded workflow runs and fork pull requests, 404 otherwise', async () => {
    gh.state.addRun('acme', 'app', { id: 4242, status: 'completed', conclusion: 'success', run_attempt: 2 });
    const run = (await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: 4242 })).data;
    expect(run).toMatchObject({ id: 4242, status: 'completed', conclusion: 'success', run_attempt: 2, html_url: 'https://github.com/acme/app/actions/runs/4242' });
    gh.state.addPull('acme', 'app', { number: 12, fork: true });
    const pr = (await octokit.rest.pulls.get({ ...repo, pull_number: 12 })).data;
    expect(pr.head.repo?.fork).toBe(true);
    expect(pr.head.repo?.full_name).not.toBe(pr.base.repo.full_name);
    await expect(octokit.rest.pulls.get({ ...repo, pull_number: 13 })).rejects.toMatchObject({ status: 404 });
  });

  it('injects a one-shot error', async () => {
    gh.inject({ method: 'GET', path: '/repos/acme/app/issues/7/comments', status: 502, message: 'Server Error' });
    await expect(octokit.rest.issues.listComments({ ...repo, issue_number: 7 })).rejects.toMatchObject({ status: 502 });
    expect((await octokit.rest.issues.listComments({ ...repo, issue_number: 7 })).status).toBe(200);
  });
});
