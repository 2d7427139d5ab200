/**
 * The teacher dashboard in a real browser (Debian's headless Chromium driven by playwright-core)
 * against the real service (src/testing/dashboard-browser.ts). Screenshots go to
 * test-artifacts/dashboard/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { generateClass } from '../demo/class-generator.js';
import { launchChromium, noSidewaysScroll, postEvents, screenshot, serveWithDashboard, signIn, token, type InPage } from '../testing/dashboard-browser.js';
import { wire } from '../testing/wire-events.js';

/**
 * Answers to items (response.recorded) for the first students of the class: the demo class has
 * none, and without them every topic's knowledge is the model's prior. Each student gets a topic
 * mostly right and one mostly wrong, so the weakest-first order is not the topics' own order.
 * They are a day old: today stays without events, so the stream tests' activity today changes
 * the result (and is sent).
 */
function answers(students: readonly string[], now: Date): object[] {
  const events: object[] = [];
  const yesterday = now.getTime() - 86_400_000;
  students.forEach((student, s) => {
    for (let i = 0; i < 8; i++) {
      const at = new Date(yesterday - (60 - i - s) * 60_000).toISOString();
      events.push(wire.response(student, at, { item_id: `basics-q${i}`, correct: i % 4 !== 3, attempt: 1, seconds: 30 + i }, 'python.basics'));
      events.push(wire.response(student, at, { item_id: `loops-q${i}`, correct: i % 4 === 0, attempt: 1 }, 'python.loops'));
    }
  });
  return events;
}

const percent = (x: number) => `${Math.round(Math.max(0, Math.min(1, x)) * 100)}%`;

interface Summary {
  student_id: string;
  needs_help: boolean;
  forecast: { score_in_7_days: number; low: number; high: number };
}

/** Reads server-sent events from /v1/stream until `count` mastery.updated events have come. */
async function readEvents(response: Response, count: number, timeoutMs = 5000): Promise<Array<{ student_id: string }>> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const found: Array<{ student_id: string }> = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  while (found.length < count && Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(() => resolve(null), Math.max(0, deadline - Date.now())))]);
    if (chunk === null || chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!block.split('\n').includes('event: mastery.updated')) continue;
      const data = block.split('\n').find((line) => line.startsWith('data: '));
      if (data) found.push(JSON.parse(data.slice(6)) as { student_id: string });
    }
  }
  await reader.cancel();
  return found;
}

describe('the teacher dashboard', () => {
  let server: Awaited<ReturnType<typeof serveWithDashboard>>;
  let browser: Browser;
  let serviceToken: string;
  let teacherToken: string;
  const CLASS = Array.from({ length: 10 }, (_, i) => `stu-${String(i + 1).padStart(3, '0')}`);

  before(async () => {
    server = await serveWithDashboard();
    serviceToken = await token('service', 'producer');
    // The teacher's class is the first eight of the ten: the other two must never show.
    teacherToken = await token('teacher', 'ms-rivera', CLASS.slice(0, 8));
    const now = new Date();
    const { events } = generateClass({ students: 10, days: 14, seed: 11, now });
    await postEvents(server.url, serviceToken, events);
    await postEvents(server.url, serviceToken, answers(CLASS.slice(0, 4), now));
    browser = await launchChromium();
  });

  const read = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${teacherToken}` } });
    assert.equal(res.status, 200, path);
    return (await res.json()) as T;
  };

  after(async () => {
    await browser?.close();
    await server?.app.close();
  });

  it('serves the page, its assets and uPlot, with a strict content security policy', async () => {
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    for (const asset of ['/dashboard/app.js', '/dashboard/styles.css', '/dashboard/vendor/uplot/uPlot.esm.js', '/dashboard/vendor/uplot/uPlot.min.css']) {
      assert.equal((await fetch(`${server.url}${asset}`)).status, 200, asset);
    }
    // Only the two uPlot files the page uses, and nothing outside the roots.
    assert.equal((await fetch(`${server.url}/dashboard/vendor/uplot/uPlot.cjs.js`)).status, 404);
    assert.equal((await fetch(`${server.url}/dashboard/%2e%2e/register-dashboard.ts`)).status, 404);
  });

  it('streams only the updates the caller may read, with the token in the header or the query', async () => {
    assert.equal((await fetch(`${server.url}/v1/stream`)).status, 401);
    assert.equal((await fetch(`${server.url}/v1/stream?access_token=not-a-jwt`)).status, 401);
    // The query token is for the stream only.
    assert.equal((await fetch(`${server.url}/v1/students?access_token=${teacherToken}`)).status, 401);

    const controller = new AbortController();
    const viaQuery = await fetch(`${server.url}/v1/stream?access_token=${teacherToken}`, { signal: controller.signal });
    assert.equal(viaQuery.status, 200);
    assert.match(viaQuery.headers.get('content-type') ?? '', /^text\/event-stream/);
    const viaHeader = await fetch(`${server.url}/v1/stream`, { headers: { authorization: `Bearer ${teacherToken}` } });
    assert.equal(viaHeader.status, 200);
    const stamp = new Date().toISOString();
    // stu-010 is not in the teacher's class; stu-002 is.
    await postEvents(server.url, serviceToken, [wire.activity('stu-010', stamp, 'python.basics')]);
    await postEvents(server.url, serviceToken, [wire.activity('stu-002', stamp, 'python.basics')]);
    const [fromQuery, fromHeader] = await Promise.all([readEvents(viaQuery, 1), readEvents(viaHeader, 1)]);
    assert.deepEqual(
      fromQuery.map((e) => e.student_id),
      ['stu-002'],
    );
    assert.deepEqual(
      fromHeader.map((e) => e.student_id),
      ['stu-002'],
    );
    controller.abort();
  });

  it('shows the class, a student, and live updates without a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    try {
      await page.goto(`${server.url}/`);
      await page.locator('#token-input').waitFor();
      await screenshot(page, '01-sign-in');

      // A token that may not list students is refused with a sentence.
      await page.fill('#token-input', await token('student', 'stu-001'));
      await page.click('#sign-in-form button[type=submit]');
      await page.locator('#sign-in-error').filter({ hasText: 'teacher or admin' }).waitFor();
      pageErrors.length = 0; // the browser logs the refused request (403) as an error

      await page.fill('#token-input', teacherToken);
      await page.click('#sign-in-form button[type=submit]');
      const rows = page.locator('#student-rows tr');
      await rows.first().waitFor();
      assert.equal(await rows.count(), 8);
      const ids = await page.locator('#student-rows .student-id').allTextContents();
      assert.deepEqual([...ids].sort(), CLASS.slice(0, 8));
      for (const score of await page.locator('#student-rows .score-value').allTextContents()) {
        assert.match(score, /^[01]\.\d{3}$/);
      }
      await page.locator('#live[data-state=live]').waitFor();
      await screenshot(page, '02-class');

      // Sorting by score, highest first, then filtering.
      await page.click('th[data-key=mastery_score] button');
      const sorted = (await page.locator('#student-rows .score-value').allTextContents()).map(Number);
      assert.deepEqual(
        sorted,
        [...sorted].sort((a, b) => b - a),
      );
      await page.fill('#filter', 'stu-003');
      assert.equal(await rows.count(), 1);
      await page.fill('#filter', '');
      await page.check('#needs-help', { force: true });
      const flagged = await page.locator('#student-rows .flag').count();
      assert.equal(await rows.count(), flagged);
      await page.uncheck('#needs-help', { force: true });
      assert.equal(await rows.count(), 8);

      // The student view.
      const target = 'stu-002';
      await page.click(`#student-rows tr[data-student="${target}"]`);
      await page.locator('#student-name', { hasText: target }).waitFor();
      assert.equal(await page.locator('#components .component').count(), 4);
      assert.ok(await page.locator('#chart canvas').isVisible(), 'the history chart is drawn');
      assert.ok((await page.locator('#recommendations li').count()) >= 1);
      assert.ok((await page.locator('#path li').count()) >= 2);
      assert.ok((await page.locator('#topics tr').count()) >= 1);
      const mastery = (await (await fetch(`${server.url}/v1/students/${target}/mastery`, { headers: { authorization: `Bearer ${teacherToken}` } })).json()) as {
        mastery_score: number;
        components: { completion: number };
      };
      assert.equal(await page.locator('#student-score').textContent(), mastery.mastery_score.toFixed(3));
      await screenshot(page, '03-student');

      // A new event through the API: the page follows without a reload.
      const before = await page.locator('#student-score').textContent();
      const rowScore = page.locator(`#student-rows tr[data-student="${target}"] .score-value`);
      const rowBefore = await rowScore.textContent();
      const now = new Date().toISOString();
      const events = ['python.basics', 'python.loops', 'python.functions', 'python.lists', 'python.classes'].map((topic) =>
        wire.completion(target, now, { total_exercises: 10, completed_exercises: 10, difficulty: 'advanced' }, topic),
      );
      await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
      await postEvents(server.url, serviceToken, events);
      const after = (await (await fetch(`${server.url}/v1/students/${target}/mastery`, { headers: { authorization: `Bearer ${teacherToken}` } })).json()) as {
        mastery_score: number;
      };
      assert.notEqual(after.mastery_score.toFixed(3), before, 'the event changes the score');
      await page.locator('#student-score', { hasText: after.mastery_score.toFixed(3) }).waitFor({ timeout: 5000 });
      await rowScore.filter({ hasText: after.mastery_score.toFixed(3) }).waitFor({ timeout: 5000 });
      assert.notEqual(await rowScore.textContent(), rowBefore);
      assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker), 42, 'no reload');
      await screenshot(page, '04-live-update');

      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  it('shows the learner model: knowledge per topic, weakest first, and the forecast with its interval', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await signIn(page, server.url, teacherToken);
      const list = await read<{ students: Summary[] }>('/v1/students?limit=1000');
      // The class list: each row's forecast and interval, and the flag from the forecast.
      for (const s of list.students) {
        const row = page.locator(`#student-rows tr[data-student="${s.student_id}"]`);
        const f = s.forecast;
        assert.equal(await row.locator('.forecast-value').textContent(), f.score_in_7_days.toFixed(3), s.student_id);
        assert.equal(await row.locator('.forecast-range').textContent(), `80 % interval ${f.low.toFixed(3)}–${f.high.toFixed(3)}`);
        assert.equal(await row.locator('.flag').count(), s.needs_help ? 1 : 0, s.student_id);
      }

      const target = 'stu-003';
      await page.click(`#student-rows tr[data-student="${target}"]`);
      await page.locator('#student-name', { hasText: target }).waitFor();
      await page.locator('#knowledge tr[data-topic]').first().waitFor();

      const knowledge = await read<{ topics: Array<{ topic: string; p_known: number; p_correct: number; responses: number }> }>(
        `/v1/students/${target}/knowledge`,
      );
      // The answers sent in before() made knowledge differ between topics.
      assert.ok(knowledge.topics.some((t) => t.responses > 0));
      assert.ok(new Set(knowledge.topics.map((t) => t.p_known)).size > 1, 'knowledge is not one prior for every topic');
      const expected = [...knowledge.topics].sort((a, b) => a.p_known - b.p_known || a.topic.localeCompare(b.topic));
      const shown = await page.locator('#knowledge tr[data-topic]').evaluateAll((rows) =>
        rows.map((row) => ({
          topic: row.querySelector('.topic-name')?.textContent,
          known: row.querySelector('.p-known')?.textContent,
          correct: row.querySelector('.p-correct')?.textContent,
          responses: row.querySelector('.responses')?.textContent,
        })),
      );
      assert.deepEqual(
        shown,
        expected.map((t) => ({ topic: t.topic, known: percent(t.p_known), correct: percent(t.p_correct), responses: String(t.responses) })),
      );

      const { forecast } = await read<{ forecast: { score_in_7_days: number; low: number; high: number; needs_help: boolean } }>(
        `/v1/students/${target}/prediction`,
      );
      assert.equal(await page.locator('#forecast-value').textContent(), forecast.score_in_7_days.toFixed(3));
      assert.equal(await page.locator('#forecast-range').textContent(), `(${forecast.low.toFixed(3)}–${forecast.high.toFixed(3)})`);
      assert.equal(await page.locator('#forecast-flag').textContent(), forecast.needs_help ? 'Needs help' : 'On track');
      await screenshot(page, '05-learner-model');
    } finally {
      await page.close();
    }
  });

  for (const { width, height } of [
    { width: 390, height: 844 },
    { width: 1280, height: 900 },
  ]) {
    it(`fits ${width} px: every row's trend and forecast in view, the class summary, the chosen student brought into view`, async () => {
      const page = await browser.newPage({ viewport: { width, height } });
      try {
        await signIn(page, server.url, teacherToken);
        const rows = page.locator('#student-rows tr');
        assert.equal(await rows.count(), 8);
        assert.ok(await noSidewaysScroll(page), 'no sideways scrolling');
        // Inside the table's own box too: a cell scrolled out of it is cut off all the same.
        const wrap = (await page.locator('.class-view .table-wrap').boundingBox())!;
        const right = Math.min(width, wrap.x + wrap.width);
        for (const cell of await page.locator('#student-rows td.trend, #student-rows td.forecast-cell, #student-rows td.help').all()) {
          const box = await cell.boundingBox();
          assert.ok(box && box.width > 0, 'the cell is drawn');
          assert.ok(
            box.x >= 0 && box.x + box.width <= right,
            `a ${await cell.getAttribute('class')} cell spans ${box.x}–${box.x + box.width}, not within 0–${right} px`,
          );
        }

        // No student chosen: the class summary, counted from the same list the API gives.
        const list = await read<{ students: Summary[] }>('/v1/students?limit=1000');
        const flagged = list.students.filter((s) => s.needs_help).map((s) => s.student_id);
        assert.equal(await page.locator('#help-count').textContent(), String(flagged.length));
        assert.deepEqual((await page.locator('#help-list .student-id').allTextContents()).sort(), [...flagged].sort());
        // The weakest topics: the mean of each topic's score over the students who have it.
        await page.locator('#weak-topics li[data-topic]').first().waitFor();
        const sums = new Map<string, { total: number; students: number }>();
        for (const s of list.students) {
          const { topics } = await read<{ topics: Array<{ topic: string; mastery_score: number }> }>(`/v1/students/${s.student_id}/mastery`);
          for (const t of topics) {
            const sum = sums.get(t.topic) ?? { total: 0, students: 0 };
            sums.set(t.topic, { total: sum.total + t.mastery_score, students: sum.students + 1 });
          }
        }
        const weakest = [...sums]
          .map(([topic, sum]) => ({ topic, mean: sum.total / sum.students }))
          .sort((a, b) => a.mean - b.mean || a.topic.localeCompare(b.topic))
          .slice(0, 5);
        assert.deepEqual(
          await page
            .locator('#weak-topics li[data-topic]')
            .evaluateAll((items) => items.map((li) => [li.querySelector('.topic-name')?.textContent, li.querySelector('.topic-mean')?.textContent])),
          weakest.map((t) => [t.topic, percent(t.mean)]),
        );
        await screenshot(page, `06-summary-${width}`);

        // The last row: on a phone the detail is far below it.
        const target = 'stu-008';
        await page.locator(`#student-rows tr[data-student="${target}"]`).click();
        await page.locator('#student-name', { hasText: target }).waitFor();
        await page.waitForFunction(() => {
          const w = globalThis as unknown as InPage;
          const top = w.document.getElementById('student-view')!.getBoundingClientRect().top;
          return top >= 0 && top < w.innerHeight / 3;
        });
        const heading = await page.locator('#student-name').boundingBox();
        assert.ok(heading && heading.y >= 0 && heading.y + heading.height <= height, 'the chosen student is in view');
        assert.ok(heading.x >= 0 && heading.x + heading.width <= width);
        assert.ok(await noSidewaysScroll(page), 'the student view does not widen the page');
        if (width < 1250)
          assert.equal(await page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.id), 'student-name', 'the focus went with it');
        await screenshot(page, `07-student-${width}`);
        await screenshot(page, `08-student-in-view-${width}`, { fullPage: false });
      } finally {
        await page.close();
      }
    });
  }

  it('puts data into the page as text, never as markup', async () => {
    // The API's own validation keeps markup out of ids and topics, so the answers are forged in
    // the browser: the page must still show them as text.
    const hostile = '<img src=x onerror="window.pwned=1">';
    const json = (body: unknown) => ({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
    const components = { completion: 0.5, quiz: 0.5, quality: 0.5, consistency: 0.5 };
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.route('**/v1/students?limit=1000', (route) =>
        route.fulfill(
          json({
            as_of: '2026-01-14',
            total: 1,
            students: [
              {
                student_id: hostile,
                mastery_score: 0.5,
                level: 'developing',
                trend: 'stable',
                prediction: 0.4,
                intervention_needed: true,
                forecast: { score_in_7_days: 0.4, low: 0.3, high: 0.5 },
                needs_help: true,
                topics: [{ topic: hostile, mastery_score: 0.5, level: 'developing' }],
              },
            ],
          }),
        ),
      );
      await page.route('**/v1/students/*/mastery', (route) =>
        route.fulfill(
          json({
            student_id: hostile,
            topic: null,
            as_of: '2026-01-14',
            mastery_score: 0.5,
            level: hostile,
            components,
            breakdown: components,
            recommendations: [{ action: hostile, area: hostile, priority: 'high', topic: hostile }],
            topics: [{ topic: hostile, mastery_score: 0.5, level: 'developing' }],
          }),
        ),
      );
      await page.route('**/v1/students/*/history', (route) => route.fulfill(json({ student_id: hostile, topic: null, days: [] })));
      await page.route('**/v1/students/*/prediction', (route) =>
        route.fulfill(
          json({
            prediction: null,
            confidence: 0,
            forecast: { score_in_7_days: 0.4, low: 0.3, high: 0.5, needs_help: true, method: hostile, model_version: hostile },
          }),
        ),
      );
      await page.route('**/v1/students/*/knowledge', (route) =>
        route.fulfill(
          json({
            student_id: hostile,
            as_of: hostile,
            model_version: hostile,
            topics: [{ topic: hostile, p_known: 0.3, p_correct: 0.4, responses: 2, last_response_at: null }],
          }),
        ),
      );
      await page.route('**/v1/students/*/path', (route) =>
        route.fulfill(json({ student_id: hostile, topic: null, as_of: '2026-01-14', path: [hostile], weak_components: [], weak_topics: [] })),
      );
      await page.goto(`${server.url}/`);
      await page.fill('#token-input', teacherToken);
      await page.click('#sign-in-form button[type=submit]');
      const cell = page.locator('#student-rows .student-id', { hasText: hostile });
      await cell.waitFor();
      await page.locator('#weak-topics li', { hasText: hostile }).waitFor();
      assert.equal(await page.locator('#help-list .student-id', { hasText: hostile }).count(), 1);
      await cell.click();
      await page.locator('#student-name', { hasText: hostile }).waitFor();
      assert.equal(await page.locator('#recommendations li', { hasText: hostile }).count(), 1);
      assert.equal(await page.locator('#path li', { hasText: hostile.replaceAll('_', ' ') }).count(), 1);
      assert.equal(await page.locator('#topics td', { hasText: hostile }).count(), 1);
      assert.equal(await page.locator('#knowledge td', { hasText: hostile }).count(), 1);
      assert.equal(await page.locator('#forecast-value').textContent(), '0.400');
      assert.equal(await page.locator('main img').count(), 0, 'no element was made from the data');
      assert.equal(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned), undefined);
    } finally {
      await page.close();
    }
  });
});
