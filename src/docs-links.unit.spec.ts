import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { markdownFiles, notInAClone, proseLines } from './testing/markdown.js';

/**
 * The documentation must be whole in a clone: every relative link in the repository's Markdown
 * files (README.md, docs/, deploy/, …) resolves to a file or folder of the repository, every
 * `#anchor` to a heading of its target (with GitHub's slug rules), and no link leaves the
 * repository (`../shared/…`, an absolute path, `file:`). Links to web sites (http, https,
 * mailto) are not the repository's to check.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const NOT_IN_A_CLONE = notInAClone(ROOT);

/** GitHub's anchor of a heading: its text in lower case, punctuation removed, spaces as dashes. */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{Nd}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a Markdown text offers: its headings' slugs (repeats get -1, -2, …) and HTML ids. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const add = (heading: string) => {
    const slug = githubSlug(heading);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  };
  const lines = proseLines(markdown);
  lines.forEach(({ line, text }, i) => {
    const atx = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text);
    if (atx) add(atx[1]!);
    const next = lines[i + 1];
    if (!atx && next?.line === line + 1 && text.trim() !== '' && !text.trim().startsWith('|') && /^ {0,3}(=+|-+)\s*$/.test(next.text)) {
      add(text);
    }
    for (const m of text.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) anchors.add(m[1]!);
  });
  return anchors;
}

/** Every link target of a Markdown text: inline links and images, reference definitions, HTML. */
function linksOf(markdown: string): Array<{ line: number; target: string }> {
  const links: Array<{ line: number; target: string }> = [];
  for (const { line, text } of proseLines(markdown)) {
    for (const m of text.matchAll(/\]\(\s*(<[^>]*>|[^)\s]*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) {
      links.push({ line, target: m[1]!.replace(/^<|>$/g, '') });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(text);
    if (definition) links.push({ line, target: definition[1]!.replace(/^<|>$/g, '') });
    for (const m of text.matchAll(/<(?:a|img)\s[^>]*(?:href|src)="([^"]*)"/g)) links.push({ line, target: m[1]! });
  }
  return links;
}

/** What is wrong with a link of `file` (a path inside `root`), or null when it resolves. */
function linkProblem(root: string, file: string, target: string): string | null {
  if (/^(https?|mailto):/i.test(target)) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return 'leaves the repository (a URL that is not a web page)';
  if (target === '') return 'is empty';
  const hash = target.indexOf('#');
  const path = decodeURI(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  if (path.startsWith('/')) return 'is an absolute path: write it relative to the file';
  const resolved = path === '' ? file : resolve(dirname(file), path);
  const inside = relative(root, resolved);
  if (inside === '..' || inside.startsWith(`..${sep}`)) return 'leaves the repository';
  if (inside.split(sep).some((part) => NOT_IN_A_CLONE.has(part))) return 'points at a folder a clone does not have';
  if (!existsSync(resolved)) return `points at ${inside}, which does not exist`;
  if (anchor !== undefined && anchor !== '' && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
    return `points at #${anchor}, which is no heading of ${inside || 'this file'}`;
  }
  return null;
}

describe('the link checker itself', () => {
  it('slugs headings as GitHub does: lower case, punctuation dropped, spaces as dashes, code and links as their text', () => {
    assert.equal(githubSlug('The `mastery` command'), 'the-mastery-command');
    assert.equal(githubSlug('MCP, for AI tutors'), 'mcp-for-ai-tutors');
    assert.equal(githubSlug('mastery.updated'), 'masteryupdated');
    assert.equal(githubSlug('POST /v1/events'), 'post-v1events');
    assert.equal(githubSlug('B. From events, as of 2026-01-14'), 'b-from-events-as-of-2026-01-14');
    assert.equal(githubSlug('See [the model](docs/model.md) — twice'), 'see-the-model--twice');
    assert.equal(githubSlug('MASTERY_DATA_DIR and *emphasis*'), 'mastery_data_dir-and-emphasis');
  });

  it('numbers repeated headings, reads setext headings and HTML anchors, and ignores headings in code', () => {
    const anchors = anchorsOf('# Intro\n\n## Notes\n\n## Notes\n\nSetext\n------\n\n<a id="here"></a>\n\n```\n## Not one\n```\n');
    assert.deepEqual([...anchors].sort(), ['here', 'intro', 'notes', 'notes-1', 'setext']);
  });

  it('finds inline links, images, reference definitions and HTML links, but none inside code', () => {
    const text = 'A [link](a.md#x "title") and ![img](<b c.png>).\n\n[ref]: d.md\n\n<a href="e.md">e</a>\n\n`[no](f.md)`\n\n```\n[no](g.md)\n```\n';
    assert.deepEqual(
      linksOf(text).map((l) => l.target),
      ['a.md#x', 'b c.png', 'd.md', 'e.md'],
    );
  });

  it('refuses links that leave the repository, point nowhere or at a missing heading', () => {
    const readme = join(ROOT, 'README.md');
    assert.match(linkProblem(ROOT, readme, '../shared/design/mastery-model.md')!, /leaves the repository/);
    assert.match(linkProblem(ROOT, readme, '/work/shared/design/events.md')!, /absolute path/);
    assert.match(linkProblem(ROOT, readme, 'file:///etc/passwd')!, /leaves the repository/);
    assert.match(linkProblem(ROOT, readme, 'docs/no-such-page.md')!, /does not exist/);
    assert.match(linkProblem(ROOT, readme, 'docs/model.md#no-such-heading')!, /no heading/);
    assert.match(linkProblem(ROOT, readme, 'node_modules/typescript/package.json')!, /clone does not have/);
    assert.equal(linkProblem(ROOT, readme, 'docs/model.md#the-7-day-prediction'), null);
    assert.equal(linkProblem(ROOT, readme, 'https://example.org/elsewhere'), null);
  });
});

describe('every link in the Markdown files resolves inside the repository', () => {
  const files = markdownFiles(ROOT);

  it('finds the documentation to check', () => {
    const names = files.map((f) => relative(ROOT, f).split(sep).join('/'));
    for (const expected of ['README.md', 'docs/model.md', 'docs/events.md', 'docs/api.md']) assert.ok(names.includes(expected), expected);
  });

  for (const file of files) {
    const name = relative(ROOT, file).split(sep).join('/');
    it(name, () => {
      const problems = linksOf(readFileSync(file, 'utf8'))
        .map(({ line, target }) => ({ line, target, problem: linkProblem(ROOT, file, target) }))
        .filter((l) => l.problem !== null)
        .map((l) => `${name}:${l.line}: ${l.target} ${l.problem}`);
      assert.deepEqual(problems, []);
    });
  }
});
