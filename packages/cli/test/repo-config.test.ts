// .platform-actions.yml as readRepoConfig reads it: every key, its empty forms, and every mistake as the
// one UsageError line it gives.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_FILE, readRepoConfig, type RepoConfig } from '../src/repo-config.js';
import { UsageError } from '../src/workflows.js';

const tmp = mkdtempSync(join(tmpdir(), 'pa-repo-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A repository folder holding `text` as its config file (none when text is undefined). */
function repoWith(text: string | undefined): string {
  const dir = mkdtempSync(join(tmp, `r${n++}-`));
  if (text !== undefined) writeFileSync(join(dir, CONFIG_FILE), text);
  return dir;
}

const empty: RepoConfig = { only: [], skip: [], inputs: {}, postgres: false, redis: false, repositories: [] };
const KEYS = 'repository, only, skip, inputs, postgres, redis';

describe('readRepoConfig', () => {
  it.each<[string, string | undefined, Partial<RepoConfig>]>([
    ['no file', undefined, {}],
    ['an empty file', '', {}],
    ['a blank file', '  \n\n', {}],
    ['null keys', 'only:\nskip: ~\ninputs:\nrepository:\n', {}],
    ['only and skip', 'only: [helm-validate, trivy-scan]\nskip:\n  - gitleaks-scan\n', { only: ['helm-validate', 'trivy-scan'], skip: ['gitleaks-scan'] }],
    [
      'inputs of every scalar kind',
      "inputs:\n  helm-validate.fail-on: none\n  trivy-scan.timeout: 30\n  a.b: true\n  a.c: ''\n  a.d:\n  x.y.z: deep\n",
      { inputs: { 'helm-validate.fail-on': 'none', 'trivy-scan.timeout': '30', 'a.b': 'true', 'a.c': '', 'a.d': '', 'x.y.z': 'deep' } },
    ],
    ['postgres and redis', 'postgres: true\nredis: false\n', { postgres: true, redis: false }],
    ['redis', 'redis: true\n', { redis: true }],
    ['one repository', 'repository: my-fork/pa\n', { repositories: ['my-fork/pa'] }],
    ['a list of repositories', 'repository: [my-fork/pa, Mirror_Org/p.a-2]\n', { repositories: ['my-fork/pa', 'Mirror_Org/p.a-2'] }],
  ])('%s', (_name, text, want) => {
    expect(readRepoConfig(repoWith(text))).toEqual({ ...empty, ...want });
  });

  it.each<[string, string, string]>([
    ['not YAML', 'only: [a\n', `${CONFIG_FILE}: not valid YAML (`],
    ['a list', '- a\n', `${CONFIG_FILE}: expected a mapping with ${KEYS}`],
    ['a scalar', 'hello\n', `${CONFIG_FILE}: expected a mapping with ${KEYS}`],
    ['null document', '~\n', `${CONFIG_FILE}: expected a mapping with ${KEYS}`],
    // What the reader does today with a file of comments only (YAML null, like `~`), pinned by this refactor's test.
    ['a comment only', '# nothing yet\n', `${CONFIG_FILE}: expected a mapping with ${KEYS}`],
    ['unknown key', 'inputz: {}\n', `${CONFIG_FILE}: unknown key "inputz" (expected ${KEYS})`],
    ['only not a list', 'only: helm-validate\n', `${CONFIG_FILE}: only must be a list of stage or action names`],
    ['skip with a number', 'skip: [1]\n', `${CONFIG_FILE}: skip must be a list of stage or action names`],
    ['skip with an empty name', "skip: ['']\n", `${CONFIG_FILE}: skip must be a list of stage or action names`],
    ['inputs a list', 'inputs: [a.b]\n', `${CONFIG_FILE}: inputs must map <stage>.<name> to a value`],
    ['inputs a string', 'inputs: a.b=c\n', `${CONFIG_FILE}: inputs must map <stage>.<name> to a value`],
    ['input without a stage', 'inputs:\n  fail-on: high\n', `${CONFIG_FILE}: inputs: expected <stage>.<name> keys; got "fail-on"`],
    ['input with an empty stage', 'inputs:\n  .fail-on: high\n', `${CONFIG_FILE}: inputs: expected <stage>.<name> keys; got ".fail-on"`],
    ['input a mapping', 'inputs:\n  a.b: {c: d}\n', `${CONFIG_FILE}: inputs: a.b must be a string, number or boolean`],
    ['input a list', 'inputs:\n  a.b: [c]\n', `${CONFIG_FILE}: inputs: a.b must be a string, number or boolean`],
    ['postgres not a boolean', 'postgres: yes please\n', `${CONFIG_FILE}: postgres must be true or false`],
    ['postgres null', 'postgres: ~\n', `${CONFIG_FILE}: postgres must be true or false`],
    ['redis not a boolean', 'redis: 1\n', `${CONFIG_FILE}: redis must be true or false`],
    ['repository not owner/repo', 'repository: my-fork\n', `${CONFIG_FILE}: repository must be owner/repo (or a list of them); got "my-fork"`],
    ['repository a number in a list', 'repository: [a/b, 3]\n', `${CONFIG_FILE}: repository must be owner/repo (or a list of them); got 3`],
    ['repository a mapping', 'repository: {a: b}\n', `${CONFIG_FILE}: repository must be owner/repo (or a list of them); got {"a":"b"}`],
    // Keys are checked in this order: the first mistake is the one reported.
    ['unknown key before a bad value', 'only: 3\nextra: 1\n', `${CONFIG_FILE}: unknown key "extra" (expected ${KEYS})`],
    ['inputs before postgres', 'postgres: 3\ninputs: []\n', `${CONFIG_FILE}: inputs must map <stage>.<name> to a value`],
    ['postgres before repository', 'repository: x\npostgres: 3\n', `${CONFIG_FILE}: postgres must be true or false`],
    ['repository before only', 'only: 3\nrepository: x\n', `${CONFIG_FILE}: repository must be owner/repo (or a list of them); got "x"`],
    ['only before skip', 'skip: 3\nonly: 3\n', `${CONFIG_FILE}: only must be a list of stage or action names`],
  ])('%s is one UsageError line', (_name, text, message) => {
    let error: unknown;
    try {
      readRepoConfig(repoWith(text));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect((error as Error).message).not.toContain('\n');
  });

  it('a config file that cannot be read is one line naming the error', () => {
    const dir = repoWith(undefined);
    mkdirSync(join(dir, CONFIG_FILE));
    expect(() => readRepoConfig(dir)).toThrow(new UsageError(`${CONFIG_FILE}: not valid YAML (EISDIR: illegal operation on a directory, read)`));
  });

  it('a YAML bomb is refused with the reader’s own line', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    expect(() => readRepoConfig(repoWith(`${bomb}\n`))).toThrow(
      new UsageError(`${CONFIG_FILE} expands through its aliases to more than 1,000,000 extra nodes (a YAML bomb?); it is not read`),
    );
  });
});
