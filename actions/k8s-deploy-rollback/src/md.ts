// Markdown helpers from the kit: `table`/`cell` for table cells, `escapeMarkdown` for free text from the
// cluster or a tool (messages, names) before it goes into Markdown prose.
import { cell, escapeMarkdown, table } from '@platform-actions/kit';

export { cell, table };
export const escapeMarkdownText = escapeMarkdown;
