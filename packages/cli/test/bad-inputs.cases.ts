// Command lines a user mistypes, for the lead's bad-input corpus: each must exit with code 2 and exactly
// one stderr line, `platform-actions: …`, that names the flag (or stage, or action) and what was expected,
// with no stack trace and nothing run. `{repo}` is replaced by a repository whose workflow has the stages
// helm-validate and tf-lock-check; `{file}` by a file that exists; `{dir}` by a folder.
export interface CliCase {
  name: string;
  argv: string[];
  /** What the one error line must say. */
  expect: RegExp;
}

export const cases: CliCase[] = [
  { name: 'unknown command', argv: ['chek'], expect: /unknown command "chek" \(expected check, run or pre-push/ },
  { name: 'unknown option', argv: ['check', '--repo', '{repo}', '--fast'], expect: /unknown option --fast for check/ },
  { name: 'stray argument to check', argv: ['check', '--repo', '{repo}', 'helm-validate'], expect: /unexpected argument "helm-validate" for check/ },
  { name: 'flag without its value', argv: ['check', '--repo', '{repo}', '--json'], expect: /--json needs a value/ },
  { name: 'flag followed by another flag', argv: ['check', '--only', '--changed'], expect: /--only needs a value/ },
  { name: '--repo is not a folder', argv: ['check', '--repo', '/nonexistent/pa-repo'], expect: /--repo: \/nonexistent\/pa-repo is not a directory/ },
  { name: '--repo without workflows', argv: ['check', '--repo', '{dir}'], expect: /no \.github\/workflows folder/ },
  { name: '--only names no stage', argv: ['check', '--repo', '{repo}', '--only', 'trivy'], expect: /--only\/--skip: no stage "trivy" \(stages: helm-validate, tf-lock-check\)/ },
  { name: '--skip names no stage', argv: ['check', '--repo', '{repo}', '--skip', 'helm'], expect: /--only\/--skip: no stage "helm" \(stages: helm-validate, tf-lock-check\)/ },
  {
    name: '--input without a stage',
    argv: ['check', '--repo', '{repo}', '--input', 'fail-on=high'],
    expect: /--input expects <stage>\.<name>=value; got "fail-on=high" \(which stage\?/,
  },
  {
    name: '--input without =',
    argv: ['check', '--repo', '{repo}', '--input', 'helm-validate.fail-on'],
    expect: /--input expects <stage>\.<name>=value; got "helm-validate\.fail-on"/,
  },
  { name: '--input for an unknown stage', argv: ['check', '--repo', '{repo}', '--input', 'trivy-scan.fail-on=high'], expect: /--input trivy-scan\.fail-on: no stage "trivy-scan"/ },
  {
    name: '--input the action does not declare',
    argv: ['check', '--repo', '{repo}', '--input', 'helm-validate.failon=high'],
    expect: /--input helm-validate\.failon: helm-validate has no input "failon" \(inputs: .*fail-on/,
  },
  { name: '--timeout not a number', argv: ['check', '--repo', '{repo}', '--timeout', '5m'], expect: /--timeout expects a number of seconds greater than 0; got "5m"/ },
  {
    name: '--database-url not postgres',
    argv: ['check', '--repo', '{repo}', '--database-url', 'mysql://u:secret@db/x'],
    expect: /--database-url expects a postgres:\/\/ or postgresql:\/\/ URL; got "mysql:\/\/\*\*\*@db\/x"/,
  },
  {
    name: '--database-url and --postgres',
    argv: ['check', '--repo', '{repo}', '--database-url', 'postgres://db/x', '--postgres'],
    expect: /--database-url and --postgres: give one of them, not both/,
  },
  {
    name: '--event not an event name',
    argv: ['check', '--repo', '{repo}', '--event', 'Pull Request'],
    expect: /--event expects an event name such as push or pull_request; got "Pull Request"/,
  },
  { name: '--payload missing', argv: ['check', '--repo', '{repo}', '--payload', '/nonexistent/event.json'], expect: /--payload: \/nonexistent\/event\.json does not exist/ },
  { name: '--payload not JSON', argv: ['check', '--repo', '{repo}', '--payload', '{file}'], expect: /--payload: .* is not a JSON object/ },
  { name: '--json is a folder', argv: ['check', '--repo', '{repo}', '--json', '{dir}'], expect: /--json: .* is a directory; expected a file path/ },
  {
    name: '--json into a folder that does not exist',
    argv: ['check', '--repo', '{repo}', '--json', '/nonexistent/reports/r.json'],
    expect: /--json: the folder \/nonexistent\/reports does not exist; create it or write the report elsewhere/,
  },
  { name: 'pre-push with a check-only flag', argv: ['pre-push', 'origin', '--changed'], expect: /--changed, --list, --event and --payload are options of check, not pre-push/ },
  { name: '--changed without an upstream', argv: ['check', '--repo', '{repo}', '--changed'], expect: /--changed needs a branch with an upstream/ },
  { name: 'run without an action', argv: ['run'], expect: /run needs an action name \(one of: .*gitleaks-scan.*helm-validate/ },
  { name: 'run an unknown action', argv: ['run', 'trivy'], expect: /run: unknown action "trivy" \(one of: / },
  {
    name: 'run with an input the action lacks',
    argv: ['run', 'tf-lock-check', '--repo', '{repo}', '--input', 'fail_on=high'],
    expect: /--input fail_on: tf-lock-check has no input "fail_on"/,
  },
  {
    name: 'run with a check-only flag',
    argv: ['run', 'tf-lock-check', '--only', 'x'],
    expect: /--only, --skip, --changed, --list, --run-steps and --redis are options of check, not run/,
  },
  { name: '--redis without --run-steps', argv: ['check', '--redis'], expect: /--redis starts Redis for the jobs' redis services, which only --run-steps runs: add --run-steps/ },
  { name: 'pre-push with --run-steps', argv: ['pre-push', '--run-steps'], expect: /--run-steps and --redis are options of check, not pre-push/ },
];
