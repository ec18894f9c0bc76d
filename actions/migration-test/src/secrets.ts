// The database password in every form a tool or a report may carry it: the kit's URL reading (both the
// WHATWG and the up-to-the-last-@ userinfo, raw, decoded, percent-encoded, base64), the whole URL with and
// without its query string (SQLAlchemy and libpq print the URL without the query), and alembic.ini's %%. Every form is masked in the log
// the moment the input is read, and scrubbed from every text this action writes: log lines, findings,
// the summary, SARIF and the PR comment (the runner masks the log only, and only exact strings).
import { addSecret, addUrlSecret, scrub as kitScrub, urlCredentials } from '@platform-actions/kit';

export class Secrets {
  private forms: string[] = [];

  /** Registers `url` and its password in every form (the kit's URL reading); masks each form. */
  addDatabaseUrl(url: string): void {
    const add = (v: string | undefined) => {
      if (!v || v.length < 3 || this.forms.includes(v)) return;
      this.forms.push(v);
      addSecret(v); // the kit masks it in the log and scrubs it (in each of its encodings) from every reporter
    };
    const creds = urlCredentials(url);
    if (!creds.length) {
      // Not a URL with a password: a URL without one holds nothing secret (masking it would hide the host
      // and database in messages); anything else (the input check rejects it next) may be secret whole.
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) add(url);
      return;
    }
    addUrlSecret(url);
    add(url);
    add(url.split('?')[0]);
    add(url.split('#')[0]);
    try {
      const noQuery = new URL(url);
      add(noQuery.href);
      noQuery.search = '';
      noQuery.hash = '';
      add(noQuery.href); // SQLAlchemy and libpq print the URL without its query
    } catch {
      /* the lenient reading (a password with an unencoded /) is all there is */
    }
    for (const c of creds) {
      add(c);
      add(encodeURIComponent(c));
      add(encodeURI(c));
      add(c.replace(/%/g, '%%')); // configparser-style escaping, as alembic.ini users write it
    }
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
