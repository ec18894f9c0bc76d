// The tools test-report's fixtures run are the pinned ones (their real output is checked in
// actions/test-report/test/tools.integration.test.ts). Provision first: bash test/harness/provision.sh testreport-py testreport-js gotestsum
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedVersion, toolBin, toolDir } from '../tools.js';

const out = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' }).trim();

describe('testreport-py', () => {
  it('has pytest, pytest-cov, pytest-rerunfailures, junitparser and coverage at the versions of its requirements file', () => {
    const py = toolBin('testreport-py', 'python');
    const pins = readFileSync(join(toolDir('testreport-py'), 'requirements.txt'), 'utf8');
    for (const pkg of ['pytest', 'pytest-cov', 'pytest-rerunfailures', 'junitparser', 'coverage']) {
      const want = new RegExp(`^${pkg}==(\\S+)$`, 'm').exec(pins)![1];
      expect(out(py, ['-c', `import importlib.metadata as m; print(m.version(${JSON.stringify(pkg)}))`])).toBe(want);
    }
  });
});

describe('testreport-js', () => {
  it('has the pinned jest and jest-junit', () => {
    const [jest, junit] = pinnedVersion('testreport-js').split(',');
    expect(out(process.execPath, [join(toolDir('testreport-js'), 'node_modules/jest/bin/jest.js'), '--version'])).toBe(jest.split('@')[1]);
    expect(JSON.parse(readFileSync(join(toolDir('testreport-js'), 'node_modules/jest-junit/package.json'), 'utf8')).version).toBe(junit.split('@')[1]);
  });
});

describe('gotestsum', () => {
  it('gotestsum and go-junit-report report their pinned versions', () => {
    expect(out(toolBin('gotestsum'), ['--version'])).toBe(`gotestsum version v${pinnedVersion('gotestsum')}`);
    expect(out(toolBin('gotestsum', 'go-junit-report'), ['-version'])).toMatch(new RegExp(`^go-junit-report v${pinnedVersion('go-junit-report').replace(/\./g, '\\.')}\\b`));
  });
});
