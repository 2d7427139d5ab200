/**
 * The dashboard's layout at a phone's width and a desktop's, for a class of thirty whose ids and
 * topics are the longest the API takes (64 characters, none a place to break a line): measured
 * in Debian's Chromium against the real service (src/testing/dashboard-browser.ts). Screenshots
 * go to test-artifacts/dashboard/layout-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generateClass } from '../demo/class-generator.js';
import {
  type DashboardServer,
  type InPage,
  launchChromium,
  noSidewaysScroll,
  postEvents,
  type Rect,
  screenshot,
  serveWithDashboard,
  signIn,
  token,
} from '../testing/dashboard-browser.js';

const MAX_KEY = 64; // events.md: ids and topics are 1–64 characters of A–Z a–z 0–9 . _ -
const filler = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(2);
const longest = (start: string) => `${start}${filler}`.slice(0, MAX_KEY);
/** `stu-007` becomes `student007abcd…`, 64 characters without a hyphen. */
const longId = (id: string) => longest(`student${id.slice(4)}`);

/** The demo class under the longest ids and topic names (its item ids keep the short topic). */
function longClass(now: Date): { students: string[]; events: object[] } {
  const { students, events } = generateClass({ students: 30, days: 14, seed: 23, now });
  return {
    students: students.map((s) => longId(s.student_id)),
    events: events.map((event) => {
      const e = event as { student_id: string; topic?: string };
      return { ...e, student_id: longId(e.student_id), ...(e.topic ? { topic: longest(`${e.topic}.`) } : {}) };
    }),
  };
}

/** Cells of the class list drawn outside the table's own box or the viewport: cut off, or only reached by scrolling. */
const cellsCutOff = (page: Page) =>
  page.evaluate(() => {
    const w = globalThis as unknown as InPage;
    const wrap = w.document.querySelector('.class-view .table-wrap')!.getBoundingClientRect();
    const left = Math.max(0, wrap.left);
    const right = Math.min(w.innerWidth, wrap.right);
    const cut: string[] = [];
    const cells = w.document.querySelectorAll('#student-rows td');
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!;
      const box: Rect = cell.getBoundingClientRect();
      if (box.right - box.left <= 0 || box.left < left - 0.5 || box.right > right + 0.5) {
        cut.push(`${cell.className} ${Math.round(box.left)}–${Math.round(box.right)} (table ${Math.round(left)}–${Math.round(right)})`);
      }
    }
    return { cells: cells.length, cut };
  });

/** The boxes that scroll sideways (tables in .table-wrap) and whose content is wider than they are. */
const boxesScrolled = (page: Page) =>
  page.evaluate(() => {
    const w = globalThis as unknown as {
      document: { querySelectorAll(s: string): ArrayLike<{ scrollWidth: number; clientWidth: number; offsetParent: unknown; className: string }> };
    };
    const boxes = w.document.querySelectorAll('.table-wrap');
    const wide: string[] = [];
    for (let i = 0; i < boxes.length; i++) {
      const box = boxes[i]!;
      if (box.offsetParent !== null && box.scrollWidth > box.clientWidth) wide.push(`${box.className}: ${box.scrollWidth} > ${box.clientWidth}`);
    }
    return wide;
  });

/** The top of the student view, the viewport's height, and the student of the focused element. */
const viewState = (page: Page) =>
  page.evaluate(() => {
    const w = globalThis as unknown as InPage;
    const focused = w.document.activeElement;
    return {
      top: w.document.getElementById('student-view')!.getBoundingClientRect().top,
      height: w.innerHeight,
      focus: focused?.id ?? '',
      focusedStudent: focused?.closest('[data-student]')?.getAttribute('data-student') ?? null,
    };
  });

/** Waits until the student view's top is in the upper third of the viewport (it scrolls there, smoothly where motion is allowed). */
const waitForDetailInView = (page: Page) =>
  page.waitForFunction(() => {
    const w = globalThis as unknown as InPage;
    const top = w.document.getElementById('student-view')!.getBoundingClientRect().top;
    return top >= 0 && top < w.innerHeight / 3;
  });

/**
 * The element is across the viewport, its top in it, and the top is what the page shows there:
 * not under the sticky top bar or another box.
 */
async function assertInViewport(page: Page, selector: string, what: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  const { width, height } = page.viewportSize()!;
  assert.ok(box, `${what} is drawn`);
  assert.ok(box.x >= 0 && box.x + box.width <= width + 0.5, `${what} spans ${box.x}–${box.x + box.width} px across a ${width} px viewport`);
  assert.ok(box.y >= 0 && box.y < height, `${what} starts at ${box.y} px, outside the ${height} px viewport`);
  const shown = await page.locator(selector).evaluate(
    (el, at) => {
      const w = globalThis as unknown as { document: { elementFromPoint(x: number, y: number): unknown } };
      const top = w.document.elementFromPoint(at.x, at.y) as typeof el | null;
      return top !== null && el.contains(top);
    },
    { x: box.x + Math.min(10, box.width / 2), y: box.y + Math.min(4, box.height / 2) },
  );
  assert.ok(shown, `${what} is covered at its top (${box.y} px)`);
}

describe('the dashboard with thirty students and the longest ids and topics', () => {
  let server: DashboardServer;
  let browser: Browser;
  let teacherToken: string;
  let students: string[];

  before(async () => {
    server = await serveWithDashboard();
    const now = new Date();
    const generated = longClass(now);
    students = generated.students;
    await postEvents(server.url, await token('service', 'producer'), generated.events);
    teacherToken = await token('teacher', 'mr-okafor', students);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.app.close();
  });

  const read = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${teacherToken}` } });
    assert.equal(res.status, 200, path);
    return (await res.json()) as T;
  };

  for (const { width, height } of [
    { width: 390, height: 844 },
    { width: 1280, height: 800 },
  ]) {
    it(`at ${width}×${height}: every cell on screen, the summary, a student chosen by keyboard brought into view and closed back to its row`, async () => {
      // Reduced motion: the page jumps to the student instead of scrolling there smoothly, so what
      // is measured once it is in view is where it stays (the other spec runs the smooth scroll).
      const page = await browser.newPage({ viewport: { width, height }, reducedMotion: 'reduce' });
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      try {
        await signIn(page, server.url, teacherToken);
        assert.equal(await page.locator('#student-rows tr').count(), 30);
        assert.ok(await noSidewaysScroll(page), 'no sideways scrolling');
        const { cells, cut } = await cellsCutOff(page);
        assert.equal(cells, 30 * 6);
        assert.deepEqual(cut, [], 'every cell of every row within the table and the viewport');
        assert.deepEqual(await boxesScrolled(page), []);

        // No student chosen: the summary, with the count the API's own filter gives.
        const flagged = await read<{ total: number; students: Array<{ student_id: string }> }>('/v1/students?needs_help=true&limit=1000');
        assert.ok(flagged.total > 0 && flagged.total < 30, `a class with some to help (${flagged.total})`);
        assert.ok(await page.locator('#class-overview').isVisible());
        assert.equal(await page.locator('#help-count').textContent(), String(flagged.total));
        assert.equal(await page.locator('#help-list button[data-student]').count(), flagged.total);
        assert.ok((await page.locator('#weak-topics li[data-topic]').count()) >= 1);
        for (const selector of ['#help-list', '#weak-topics']) {
          const box = (await page.locator(selector).boundingBox())!;
          assert.ok(box.x >= 0 && box.x + box.width <= width, `${selector} fits across`);
        }
        await screenshot(page, `layout-${width}-class`);

        // The last row, chosen from the keyboard: on a phone its detail starts below thirty cards.
        const target = students.at(-1)!;
        const { top } = await viewState(page);
        assert.ok(width > 1250 || top > 3 * height, `one column: the student view starts screens below the top (${top} px)`);
        await page.locator(`#student-rows tr[data-student="${target}"]`).focus();
        await page.keyboard.press('Enter');
        await page.locator('#student-name', { hasText: target }).waitFor();
        await page.locator('#knowledge tr[data-topic]').first().waitFor();
        await waitForDetailInView(page);
        await assertInViewport(page, '#student-name', 'the chosen student’s name');
        await assertInViewport(page, '#close-student', 'the close button');
        assert.equal(await page.locator('#announce').textContent(), `Showing ${target}`);
        assert.ok(await page.locator('#class-overview').isHidden(), 'the summary gives way to the student');
        if (width <= 1250) assert.equal((await viewState(page)).focus, 'student-name', 'the focus went with the view');
        assert.ok(await noSidewaysScroll(page), 'the student view does not widen the page');
        assert.deepEqual(await boxesScrolled(page), [], 'no table of the student view scrolls sideways');
        await screenshot(page, `layout-${width}-student`, { fullPage: false });

        // Closing goes back to the summary and to the row the student was chosen from.
        await page.locator('#close-student').click();
        assert.ok(await page.locator('#class-overview').isVisible());
        assert.ok(await page.locator('#student-detail').isHidden());
        assert.equal((await viewState(page)).focusedStudent, target, 'the focus is back on the row');
        await assertInViewport(page, `#student-rows tr[data-student="${target}"]`, 'the row');

        // A student from the summary's list comes into view the same way.
        const fromSummary = flagged.students.at(-1)!.student_id;
        await page.locator(`#help-list button[data-student="${fromSummary}"]`).click();
        await page.locator('#student-name', { hasText: fromSummary }).waitFor();
        await waitForDetailInView(page);
        await assertInViewport(page, '#student-name', 'the student chosen from the summary');
        assert.deepEqual(pageErrors, []);
      } finally {
        await page.close();
      }
    });
  }
});
