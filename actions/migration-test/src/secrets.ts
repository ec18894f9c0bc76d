// The database password in every form a tool or a report may carry it: decoded, percent-encoded as it
// appears in database-url (and as encodeURIComponent would write it), and the whole URL with and without
// its query string (SQLAlchemy and libpq print the URL without the query). Every form is masked in the log
// the moment the input is read, and scrubbed from every text this action writes: log lines, findings,
// the summary, SARIF and the PR comment (the runner masks the log only, and only exact strings).
import { addSecret, scrub as kitScrub } from '@platform-actions/kit';

export class Secrets {
  private forms: string[] = [];

  /** Registers `url` and its password; masks each form. */
  addDatabaseUrl(url: string): void {
    const add = (v: string | undefined) => {
      if (!v || v.length < 3 || this.forms.includes(v)) return;
      this.forms.push(v);
      addSecret(v); // the kit masks it in the log and scrubs it (in each of its encodings) from every reporter
    };
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      add(url); // not a URL (the input check rejects it next): whatever it holds may be secret
      return;
    }
    // A URL without a password holds nothing secret: masking it would hide the host and database in messages.
    if (!u.password) return;
    add(url);
    add(url.split('?')[0]);
    add(url.split('#')[0]);
    add(u.href);
    const noQuery = new URL(u.href);
    noQuery.search = '';
    noQuery.hash = '';
    add(noQuery.href);
    add(u.password); // as written in the URL (percent-encoded)
    let decoded = u.password;
    try {
      decoded = decodeURIComponent(u.password);
    } catch {
      /* a stray % stays as it is */
    }
    add(decoded);
    add(encodeURIComponent(decoded));
    add(encodeURI(decoded));
    add(decoded.replace(/%/g, '%%')); // configparser-style escaping, as alembic.ini users write it
    this.forms.sort((a, b) => b.length - a.length); // longest first, so a form containing another goes whole
  }

  scrub(text: string): string {
    if (!text) return text;
    let out = text;
    for (const f of this.forms) if (out.includes(f)) out = out.split(f).join('***');
    return kitScrub(out);
  }

  /** Every string in a JSON-like value, scrubbed. */
  scrubDeep<T>(value: T): T {
    return JSON.parse(JSON.stringify(value), (_k, v: unknown) => (typeof v === 'string' ? this.scrub(v) : v)) as T;
  }
}

/** The one registry for this run. */
export const secrets = new Secrets();
