import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENVIRONMENT, ESSENTIAL_VARIABLES, TUNING_VARIABLES } from './config.js';
import { REMOVED_VARIABLES } from './config/removed-variables.js';
import { markdownFiles, proseLines } from './testing/markdown.js';

/**
 * The small things that say a project is kept, each of which has gone wrong once: the LICENSE
 * names the license package.json declares, the CHANGELOG has a place for the next version and
 * one for the current, no Markdown table is cut in two by a blank line (the README's
 * configuration table was), the Quick start's commands follow PORT as `mastery demo` does, and
 * it says that `npm test` installs and starts servers.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { license: string; version: string; scripts: Record<string, string> };
const README = read('README.md');

/** The first line of each license's text, by its SPDX id. */
const LICENSE_TITLES: Record<string, RegExp> = { MIT: /^MIT License$/, 'Apache-2.0': /^\s*Apache License$/ };

/** A README section's text, from its `## ` heading to the next. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  assert.notEqual(start, -1, `the README has a section "${heading}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

/** A table row's cells, trimmed. */
const cells = (row: string) =>
  row
    .replace(/^\s*\|/, '')
    .replace(/\|\s*$/, '')
    .split('|')
    .map((cell) => cell.trim());

const isRow = (text: string) => /^ {0,3}\|/.test(text);
const isDelimiterRow = (text: string) => /^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*$/.test(text);

/** The tables of a Markdown text, each as its first line and rows; a row after a gap starts a new one. */
function tables(markdown: string): Array<{ line: number; rows: string[] }> {
  const found: Array<{ line: number; rows: string[] }> = [];
  const raw = markdown.split('\n');
  let previous = -1;
  for (const { line, text } of proseLines(markdown)) {
    if (!isRow(text)) continue;
    const current = found.at(-1);
    // The row as written: proseLines blanks code spans, and the cells' names are in them.
    const row = raw[line - 1] ?? '';
    if (current && line === previous + 1) current.rows.push(row);
    else found.push({ line, rows: [row] });
    previous = line;
  }
  return found;
}

/** Where a blank line cuts a table: a row after the gap that is no new table's header. */
function splitTables(markdown: string): number[] {
  const lines = markdown.split('\n');
  return tables(markdown)
    .filter((t, i) => i > 0 && !isDelimiterRow(t.rows[1] ?? ''))
    .filter((t) => {
      // Only blank lines between this row and a row above: a split, not a table of its own.
      let above = t.line - 2;
      while (above >= 0 && (lines[above] ?? '').trim() === '') above -= 1;
      return above < t.line - 2 && isRow(lines[above] ?? '');
    })
    .map((t) => t.line);
}

describe('the table checker itself', () => {
  it('finds a table cut by a blank line, but not two tables one after the other', () => {
    const head = '| a | b |\n|---|---|\n| 1 | 2 |\n';
    assert.deepEqual(splitTables(`${head}\n| 3 | 4 |\n`), [5]);
    assert.deepEqual(splitTables(`${head}\n\n| 3 | 4 |\n| 5 | 6 |\n`), [6]);
    assert.deepEqual(splitTables(`${head}\n${head}`), []);
    assert.deepEqual(splitTables(`${head}\ntext\n\n| 3 | 4 |\n`), [], 'prose between: not a cut');
    assert.deepEqual(splitTables(`${head}\n\`\`\`\n| in | code |\n\`\`\`\n`), [], 'a fenced block is not a table');
  });
});

describe('LICENSE and CHANGELOG', () => {
  it('LICENSE is the license package.json declares', () => {
    const title = LICENSE_TITLES[pkg.license];
    assert.ok(title, `package.json says ${pkg.license}: add the first line of its text to LICENSE_TITLES`);
    const firstLine =
      read('LICENSE')
        .split('\n')
        .find((l) => l.trim() !== '') ?? '';
    assert.match(firstLine, title);
    assert.match(README, new RegExp(`^${pkg.license}: see \\[LICENSE\\]\\(LICENSE\\)`, 'm'), "the README's License section names it");
  });

  it('CHANGELOG.md opens with Unreleased and has a section for the version package.json gives', () => {
    const versions = [...read('CHANGELOG.md').matchAll(/^## (.+)$/gm)].map((m) => m[1] ?? '');
    assert.equal(versions[0], 'Unreleased', 'the next version collects its changes under Unreleased, first');
    assert.ok(
      versions.some((v) => new RegExp(`^${pkg.version.replace(/\./g, '\\.')} - \\d{4}-\\d{2}-\\d{2}$`).test(v)),
      `a section "## ${pkg.version} - YYYY-MM-DD"`,
    );
  });
});

describe('the Markdown files', () => {
  for (const file of markdownFiles(ROOT)) {
    const name = relative(ROOT, file).split(sep).join('/');
    it(`${name}: no table is cut in two by a blank line`, () => {
      assert.deepEqual(
        splitTables(readFileSync(file, 'utf8')).map((line) => `${name}:${line}`),
        [],
        'a blank line ends a table; the rows after it are shown as text',
      );
    });
  }
});

describe('the README', () => {
  it('the configuration is two tables, "What matters" and "Tuning, rarely set": each row names its variables, a default and why', () => {
    const configuration = section(README, 'Configuration');
    const found = tables(configuration);
    assert.equal(found.length, 2, 'two tables');
    const lines = configuration.split('\n');
    for (const [i, heading] of ['What matters', 'Tuning, rarely set'].entries()) {
      const above = lines.slice(0, (found[i]?.line ?? 1) - 1).filter((line) => line.startsWith('### '));
      assert.equal(above.at(-1), `### ${heading}`, `table ${i + 1} is under "### ${heading}"`);
    }
    for (const { rows } of found) {
      assert.deepEqual(cells(rows[0] ?? ''), ['variable', 'default', 'why it exists']);
      for (const row of rows.slice(2)) {
        const [names, fallback, why] = cells(row);
        assert.ok(names && fallback && why && why.length >= 20, `every cell filled, and a reason: ${row}`);
      }
    }
  });

  it("the two tables name the schema's two groups exactly, each variable once (the tests' own in neither)", () => {
    const [essential, tuning] = tables(section(README, 'Configuration'));
    const named = (rows: string[] = [], group: string[]) =>
      rows
        .slice(2)
        .flatMap((row) =>
          [...(cells(row)[0] ?? '').matchAll(/`([A-Z][A-Z0-9_]*\*?)`/g)].flatMap(([, name = '']) =>
            name.endsWith('*') ? group.filter((n) => n.startsWith(name.slice(0, -1))) : [name],
          ),
        );
    const essentialNames = Object.keys(ESSENTIAL_VARIABLES);
    const tuningNames = [...Object.keys(TUNING_VARIABLES), 'NODE_OPTIONS'];
    assert.deepEqual(named(essential?.rows, essentialNames).sort(), [...essentialNames].sort());
    assert.deepEqual(named(tuning?.rows, tuningNames).sort(), [...tuningNames].sort());
    assert.deepEqual(Object.keys(ENVIRONMENT.shape).sort(), [...essentialNames, ...Object.keys(TUNING_VARIABLES)].sort());
  });

  it('a removed variable is in neither table nor in .env.example as a setting, and the CHANGELOG says what happens now', () => {
    const configuration = section(README, 'Configuration');
    const envExample = read('.env.example');
    const removed = section(read('CHANGELOG.md').replace('## Unreleased', '\n## Unreleased'), 'Unreleased');
    for (const name of Object.keys(REMOVED_VARIABLES)) {
      assert.ok(!configuration.includes(name), `${name} is not in the README's configuration`);
      assert.doesNotMatch(envExample, new RegExp(`^#?\\s*${name}=`, 'm'), `${name} is no setting of .env.example`);
      assert.match(removed, new RegExp(`### Removed[\\s\\S]*\`${name}\`: `), `the CHANGELOG's Removed names ${name}`);
    }
  });

  it(".env.example names every variable of the schema (and Node's NODE_OPTIONS), set or commented out, and no other", () => {
    const listed = [...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? '');
    assert.deepEqual([...listed].sort(), [...Object.keys(ENVIRONMENT.shape), 'NODE_OPTIONS'].sort());
  });

  it("the Quick start's commands reach the service on PORT, as `mastery demo` does", () => {
    // mastery demo calls http://HOST:PORT of its configuration; the tour's curl must follow it.
    assert.match(read('src/cli/commands/demo.ts'), /`http:\/\/\$\{config\.host\}:\$\{config\.port\}`/);
    const commands = [...section(README, 'Quick start').matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap((m) => (m[1] ?? '').split('\n'))
      .map((line) => line.replace(/\s#.*$/, ''));
    const urls = commands.flatMap((line) => [...line.matchAll(/https?:\/\/[^\s"']+/g)].map((m) => m[0]));
    assert.ok(urls.length > 0, 'the tour calls the service');
    for (const url of urls) assert.match(url, /^http:\/\/127\.0\.0\.1:\$\{PORT:-8080\}\//, `${url} follows PORT`);
  });

  it('the Quick start says that `npm test` installs and starts servers, and the script that does it is the pretest', () => {
    const script = 'scripts/ensure-test-servers.sh';
    assert.equal(pkg.scripts['pretest'], `bash ${script}`);
    assert.ok(existsSync(join(ROOT, script)));
    const quickStart = section(README, 'Quick start');
    assert.match(quickStart, /`npm test` installs and starts servers/);
    assert.ok(quickStart.includes(`\`${script}\``), `the Quick start names ${script}`);
    for (const server of ['PostgreSQL', 'redis-server', 'Chromium']) assert.ok(quickStart.includes(server), `the Quick start names ${server}`);
  });
});
