// The runner protocol the actions speak: workflow commands on stdout and file commands
// (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV, GITHUB_STEP_SUMMARY). Written here instead of importing
// @actions/core because that package statically imports its HTTP client and undici for OIDC, which
// we never use, and loading them tripled every action's cold start (measured: bench/kit.ts).
// Formats follow @actions/core exactly, so the runner and GitHub read them the same way.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';

export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

// Everything printed through here is scrubbed of registered secrets first (secrets.ts installs the
// scrubber), so no log line, annotation, output or summary can carry one, whichever module printed it.
// The runner's own masking covers the log only, and only exact strings.
let scrubber: (s: string) => string = (s) => s;
/** Installs the function every printed text goes through (secrets.ts: `scrub`). */
export function useScrubber(fn: (s: string) => string): void {
  scrubber = fn;
}
/** `text` with every registered secret replaced, as every print does it. */
export const scrubbed = (text: string): string => scrubber(text);

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** Prints `::command key=value,...::message`. */
function issueCommand(command: string, properties: Record<string, string | number | undefined>, message: string): void {
  // add-mask carries the secret itself: scrubbing it would register "***".
  const clean = command === 'add-mask' ? (s: string) => s : scrubber;
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(clean(String(v)))}`)
    .join(',');
  process.stdout.write(`::${command}${props ? ` ${props}` : ''}::${escapeData(clean(message))}${EOL}`);
}

function fileCommand(envVar: string, name: string, value: string): boolean {
  const file = process.env[envVar];
  if (!file) return false;
  if (!existsSync(file)) throw new Error(`${envVar} points at a missing file: ${file}`);
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`unexpected delimiter in ${name}`);
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
  return true;
}

const toText = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

export function getInput(name: string, opts: { required?: boolean; trimWhitespace?: boolean } = {}): string {
  const v = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
  if (opts.required && !v) throw new Error(`Input required and not supplied: ${name}`);
  return opts.trimWhitespace === false ? v : v.trim();
}

// Outputs are shown in the log and read by later steps: scrubbed like every print. State and environment
// are our own hand-over to the post step and to later steps, and must keep their values.
export function setOutput(name: string, value: unknown): void {
  const text = scrubber(toText(value));
  if (!fileCommand('GITHUB_OUTPUT', name, text)) issueCommand('set-output', { name }, text);
}

export function saveState(name: string, value: unknown): void {
  if (!fileCommand('GITHUB_STATE', name, toText(value))) issueCommand('save-state', { name }, toText(value));
}

export const getState = (name: string): string => process.env[`STATE_${name}`] || '';

/** Masks `secret` in every later log line. */
export const setSecret = (secret: string): void => issueCommand('add-mask', {}, secret);

export const debug = (message: string): void => issueCommand('debug', {}, message);
export const info = (message: string): void => void process.stdout.write(scrubber(message) + EOL);

function annotation(level: 'error' | 'warning' | 'notice', message: string | Error, p: AnnotationProperties = {}): void {
  issueCommand(
    level,
    { title: p.title, file: p.file, line: p.startLine, endLine: p.endLine, col: p.startColumn, endColumn: p.endColumn },
    message instanceof Error ? message.toString() : message,
  );
}
export const error = (m: string | Error, p?: AnnotationProperties): void => annotation('error', m, p);
export const warning = (m: string | Error, p?: AnnotationProperties): void => annotation('warning', m, p);
export const notice = (m: string | Error, p?: AnnotationProperties): void => annotation('notice', m, p);

/** Marks the step failed: an error annotation and exit code 1 when the process ends. */
export function setFailed(message: string | Error): void {
  process.exitCode = 1;
  error(message);
}

/**
 * Prints untrusted text (a tool's output, a file's content) so that no line of it can act as a workflow
 * command: `::stop-commands::<token>` turns command processing off until the same token is printed again,
 * and the token is random, so the text cannot guess it.
 */
export function untrusted(text: string): void {
  if (!text) return;
  const token = `pa-${randomUUID()}`;
  const clean = scrubber(text);
  process.stdout.write(`::stop-commands::${token}${EOL}${clean.endsWith('\n') ? clean : clean + EOL}::${token}::${EOL}`);
}

export const startGroup = (name: string): void => issueCommand('group', {}, name);
export const endGroup = (): void => issueCommand('endgroup', {}, '');

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  startGroup(name);
  try {
    return await fn();
  } finally {
    endGroup();
  }
}

/** Appends Markdown to the step summary; false when GITHUB_STEP_SUMMARY is not set. */
export function appendSummary(markdown: string): boolean {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  const clean = scrubber(markdown);
  appendFileSync(file, clean.endsWith(EOL) ? clean : clean + EOL, 'utf8');
  return true;
}
