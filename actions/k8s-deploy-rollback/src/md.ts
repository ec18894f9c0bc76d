// Markdown helpers. The kit's `cell`/`table` escape table cells; `escapeMarkdownText` is a local stand-in
// for the kit's escapeMarkdown (being added) for free text from the cluster or a tool.
import { cell, table } from '@platform-actions/kit';

export { cell, table };

/** Escapes text from a cluster or tool (messages, names) before it goes into Markdown prose. */
export function escapeMarkdownText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]#|!~])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}
