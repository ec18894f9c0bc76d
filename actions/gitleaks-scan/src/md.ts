// Markdown for text we do not control: file names from the repository, branch and ref names, paths from
// inputs. The helpers live in the kit (report/markdown.ts), shared with every action that shows such text.
export { codeBlock, inlineCode, oneLineText, proseText } from '@platform-actions/kit';
