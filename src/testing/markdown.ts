import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reading the repository's Markdown files as GitHub shows them, for the specs that hold the
 * documentation to account (links, tables).
 */

/** Folders that are not part of a clone: git's own, and what .gitignore names as a folder. */
export function notInAClone(root: string): Set<string> {
  return new Set([
    '.git',
    ...readFileSync(join(root, '.gitignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^[^#!*/][^*]*\/$/.test(line))
      .map((line) => line.slice(0, -1)),
  ]);
}

/** Every Markdown file of a clone of the repository at `root`. */
export function markdownFiles(root: string, dir: string = root, skip: Set<string> = notInAClone(root)): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(root, path, skip);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** The lines of a Markdown text outside fenced code blocks, with inline code spans blanked. */
export function proseLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let fence: string | null = null;
  text.split('\n').forEach((raw, i) => {
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(raw);
    if (fence !== null) {
      if (opening && opening[1]![0] === fence[0] && opening[1]!.length >= fence.length && raw.trim() === opening[1]) fence = null;
      return;
    }
    if (opening) {
      fence = opening[1]!;
      return;
    }
    // A code span is text, not a link: `[a](b)` inside backticks is not followed by GitHub.
    out.push({ line: i + 1, text: raw.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length)) });
  });
  return out;
}
