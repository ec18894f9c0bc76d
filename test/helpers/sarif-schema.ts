// Validates SARIF against the official SARIF 2.1.0 JSON schema (provisioned by test/harness/provision.sh).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { toolDir } from '../harness/tools.js';

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };
let validate: Validate | undefined;

/** Returns the schema errors of `sarif` (empty when valid). */
export function sarifSchemaErrors(sarif: unknown): string[] {
  if (!validate) {
    const schema = JSON.parse(readFileSync(join(toolDir('sarif-schema'), 'bin', 'sarif-2.1.0.json'), 'utf8'));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const ajv = new (Ajv2020 as any)({ strict: false, allErrors: true });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (addFormats as any)(ajv);
    validate = ajv.compile(schema) as Validate;
  }
  return validate(sarif) ? [] : (validate.errors ?? []).map((e) => JSON.stringify(e));
}
