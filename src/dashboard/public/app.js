// The teacher dashboard: plain DOM, no framework. Every value from the API reaches the page
// through textContent or setAttribute, never innerHTML.
import uPlot from '/dashboard/vendor/uplot/uPlot.esm.js';

const TOKEN_KEY = 'mastery.dashboard.token';
const LEVELS = ['beginner', 'developing', 'competent', 'proficient', 'expert'];
const COMPONENTS = [
  ['completion', 'Completion', 0.4],
  ['quiz', 'Quiz', 0.3],
  ['quality', 'Quality', 0.2],
  ['consistency', 'Consistency', 0.1],
];
const TREND_LABEL = { improving: '↑ improving', declining: '↓ declining', stable: '→ stable' };
const DAY_SECONDS = 86_400;

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el;
};

/** Creates an element; children are nodes or text (text is always a text node). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = String(value);
    else if (name === 'style') for (const [k, v] of Object.entries(value)) el.style.setProperty(k, String(v));
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * An id or topic as text with a line-break opportunity after each `.`, `_` and `-` (events.md:
 * the only separators they may hold), so a narrow column breaks `python.` | `functions` rather
 * than inside a word; CSS breaks anywhere only a part longer than the column.
 */
const breakable = (text) =>
  String(text)
    .split(/(?<=[._-])/)
    .flatMap((part, i) => (i === 0 ? [part] : [h('wbr'), part]));

const fmt = (x) => (typeof x === 'number' ? x.toFixed(3) : '—');
const pct = (x) => `${Math.round(Math.max(0, Math.min(1, x)) * 100)}%`;
const human = (s) => String(s).replaceAll('_', ' ');
const levelOf = (level) => (LEVELS.includes(level) ? level : 'unknown');

function badge(level) {
  return h('span', { class: `badge level-${levelOf(level)}` }, level ?? '—');
}

/** "0.620 (0.550–0.700)": the forecast and its 80 % interval, as text. */
const forecastText = (f) => `${fmt(f.score_in_7_days)} (${fmt(f.low)}–${fmt(f.high)})`;

/** A 0–1 track with the interval as a band and the expected score as a tick; decoration only. */
function intervalBar(f) {
  return h(
    'span',
    { class: 'interval', 'aria-hidden': 'true' },
    h('span', { class: 'interval-band', style: { left: pct(f.low), width: pct(f.high - f.low) } }),
    h('span', { class: 'interval-mark', style: { left: pct(f.score_in_7_days) } }),
  );
}

function scoreBar(score, level) {
  return h(
    'span',
    { class: 'score-cell' },
    h('span', { class: 'score-value' }, fmt(score)),
    h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: `bar-fill level-${levelOf(level)}`, style: { width: pct(score ?? 0) } })),
  );
}

// ---------------------------------------------------------------------------------------------
// The API

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = await res.json();
      if (typeof body?.error?.message === 'string') message = body.error.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, message);
  }
  return res.json();
}

const studentPath = (id, what) => `/v1/students/${encodeURIComponent(id)}/${what}`;

/** The claims of a JWT, for display only (the server verifies it). */
function claimsOf(token) {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(
      part
        .replaceAll('-', '+')
        .replaceAll('_', '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    const claims = JSON.parse(json);
    return claims && typeof claims === 'object' ? claims : {};
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------------------------------------
// State

const state = {
  students: [],
  asOf: null,
  sort: { key: 'student_id', dir: 1 },
  filter: '',
  needsHelp: false,
  selected: null,
  stream: null,
  chart: null,
  flash: new Set(),
};

// ---------------------------------------------------------------------------------------------
// Sign in and out

function showSignIn(message) {
  closeStream();
  $('session').hidden = true;
  $('dashboard-view').hidden = true;
  $('sign-in-view').hidden = false;
  const error = $('sign-in-error');
  error.hidden = !message;
  error.textContent = message ?? '';
  $('token-input').focus();
}

async function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    await loadClass();
  } catch (error) {
    sessionStorage.removeItem(TOKEN_KEY);
    const why =
      error instanceof ApiError && error.status === 401
        ? 'This token was not accepted (invalid or expired).'
        : error instanceof ApiError && error.status === 403
          ? 'This token may not list students: use a teacher or admin token.'
          : `Could not load the class: ${error.message}`;
    showSignIn(why);
    return;
  }
  const claims = claimsOf(token);
  $('who').textContent = `${claims.sub ?? 'unknown'} · ${claims.role ?? 'unknown role'}`;
  $('sign-in-view').hidden = true;
  $('session').hidden = false;
  $('dashboard-view').hidden = false;
  openStream();
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  state.students = [];
  closeStudent();
  $('token-input').value = '';
  showSignIn();
}

// ---------------------------------------------------------------------------------------------
// The class view

async function loadClass() {
  const list = await api('/v1/students?limit=1000');
  state.students = list.students;
  state.asOf = list.as_of;
  renderClass();
}

function compare(a, b, key) {
  const x = a[key];
  const y = b[key];
  if (key === 'level') return LEVELS.indexOf(x) - LEVELS.indexOf(y);
  if (key === 'forecast') return (x?.score_in_7_days ?? -1) - (y?.score_in_7_days ?? -1);
  if (key === 'trend') {
    const order = { declining: 0, stable: 1, improving: 2 };
    return (order[x] ?? -1) - (order[y] ?? -1);
  }
  if (x === null || x === undefined) return y === null || y === undefined ? 0 : -1;
  if (y === null || y === undefined) return 1;
  if (typeof x === 'string') return x.localeCompare(y, undefined, { numeric: true });
  return Number(x) - Number(y);
}

function visibleStudents() {
  const needle = state.filter.trim().toLowerCase();
  const { key, dir } = state.sort;
  return state.students
    .filter((s) => !state.needsHelp || s.needs_help)
    .filter((s) => !needle || s.student_id.toLowerCase().includes(needle) || s.level.includes(needle))
    .sort((a, b) => dir * compare(a, b, key) || a.student_id.localeCompare(b.student_id, undefined, { numeric: true }));
}

function renderClass() {
  const rows = visibleStudents().map((s) =>
    h(
      'tr',
      {
        'data-student': s.student_id,
        class: [s.student_id === state.selected ? 'selected' : '', state.flash.has(s.student_id) ? 'flash' : ''].join(' ').trim() || undefined,
        tabindex: '0',
        'aria-selected': s.student_id === state.selected ? 'true' : 'false',
      },
      // data-label names a cell where the narrow layout shows rows as cards, without a header row.
      h('td', { class: 'student-id' }, breakable(s.student_id)),
      h('td', { class: 'num score' }, scoreBar(s.mastery_score, s.level)),
      h('td', { class: 'level' }, badge(s.level)),
      h('td', { class: `trend trend-${s.trend ?? 'none'}`, 'data-label': 'Trend' }, s.trend ? (TREND_LABEL[s.trend] ?? s.trend) : '—'),
      h('td', { class: 'num forecast-cell', 'data-label': 'In 7 days' }, s.forecast ? forecastCell(s.forecast) : '—'),
      h('td', { class: 'help' }, s.needs_help ? h('span', { class: 'flag' }, 'Needs help') : onTrack()),
    ),
  );
  $('student-rows').replaceChildren(...rows);
  $('no-students').hidden = rows.length > 0;
  const flagged = state.students.filter((s) => s.needs_help).length;
  $('class-summary').textContent =
    `${state.students.length} student${state.students.length === 1 ? '' : 's'} · ${flagged} need${flagged === 1 ? 's' : ''} help · as of ${state.asOf ?? '—'}`;
  for (const th of document.querySelectorAll('#students th[data-key]')) {
    const active = th.dataset.key === state.sort.key;
    th.setAttribute('aria-sort', active ? (state.sort.dir > 0 ? 'ascending' : 'descending') : 'none');
  }
  renderOverview();
}

/** A dash to the eye, words to a screen reader. */
const onTrack = () => h('span', { class: 'muted' }, h('span', { 'aria-hidden': 'true' }, '—'), h('span', { class: 'visually-hidden' }, 'on track'));

function forecastCell(f) {
  return h(
    'span',
    { class: 'forecast-stack' },
    h('span', { class: 'forecast-value' }, fmt(f.score_in_7_days)),
    h('span', { class: 'forecast-range' }, h('span', { class: 'visually-hidden' }, '80 % interval '), `${fmt(f.low)}–${fmt(f.high)}`),
  );
}

/** Mean topic score over the students who have the topic (the class list gives each student's), lowest first. */
function weakestTopics(limit = 5) {
  const sums = new Map();
  for (const student of state.students) {
    for (const t of student.topics ?? []) {
      const sum = sums.get(t.topic) ?? { total: 0, students: 0 };
      sum.total += t.mastery_score;
      sum.students += 1;
      sums.set(t.topic, sum);
    }
  }
  return [...sums]
    .map(([topic, { total, students }]) => ({ topic, mean: total / students, students }))
    .sort((a, b) => a.mean - b.mean || a.topic.localeCompare(b.topic))
    .slice(0, limit);
}

/** The right half while no student is chosen: who needs help, and where the class is weakest. */
function renderOverview() {
  const flagged = state.students.filter((s) => s.needs_help).sort((a, b) => (a.forecast?.score_in_7_days ?? 0) - (b.forecast?.score_in_7_days ?? 0));
  $('help-count').textContent = String(flagged.length);
  $('help-of').textContent = `of ${state.students.length} student${state.students.length === 1 ? '' : 's'}`;
  $('help-list').replaceChildren(
    ...(flagged.length === 0
      ? [h('li', { class: 'muted' }, 'Nobody: every forecast is on track.')]
      : flagged.map((s) =>
          h(
            'li',
            {},
            h(
              'button',
              { type: 'button', class: 'link', 'data-student': s.student_id },
              h('span', { class: 'student-id' }, breakable(s.student_id)),
              s.forecast ? h('span', { class: 'muted forecast-text' }, forecastText(s.forecast)) : null,
            ),
          ),
        )),
  );
  const weakest = weakestTopics();
  $('weak-topics').replaceChildren(
    ...(weakest.length === 0
      ? [h('li', { class: 'muted' }, 'No topics yet.')]
      : weakest.map((t) =>
          h(
            'li',
            { 'data-topic': t.topic },
            h('span', { class: 'topic-name' }, breakable(t.topic)),
            h('span', { class: 'topic-mean' }, pct(t.mean)),
            h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'bar-fill', style: { width: pct(t.mean) } })),
            h('span', { class: 'muted topic-count' }, `${t.students} student${t.students === 1 ? '' : 's'}`),
          ),
        )),
  );
}

function showClassError(error) {
  const el = $('class-error');
  el.hidden = !error;
  el.textContent = error ? `Could not refresh the class: ${error.message}` : '';
}

// ---------------------------------------------------------------------------------------------
// The student view

function closeStudent() {
  const was = state.selected;
  state.selected = null;
  state.chart?.destroy();
  state.chart = null;
  $('student-detail').hidden = true;
  $('class-overview').hidden = false;
  $('student-view').scrollTop = 0;
  $('announce').textContent = '';
  renderClass();
  // Back where the teacher left the list (on a phone, far above the detail).
  if (was) document.querySelector(`#student-rows tr[data-student="${CSS.escape(was)}"]`)?.focus();
}

async function openStudent(id) {
  state.selected = id;
  renderClass();
  if ((await loadStudent(id)) && state.selected === id) bringIntoView();
}

/**
 * One column (a phone, a narrow window) puts the detail under the whole class list: move to it,
 * and move the focus with it, so keyboard and screen-reader users land where the page went.
 */
function bringIntoView() {
  const view = $('student-view');
  const top = view.getBoundingClientRect().top;
  if (top >= 0 && top <= window.innerHeight / 3) return;
  const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  view.scrollIntoView({ block: 'start', behavior: smooth ? 'smooth' : 'auto' });
  $('student-name').focus({ preventScroll: true });
}

/** Loads and shows one student; true when it was shown. */
async function loadStudent(id) {
  const error = $('student-error');
  // Knowledge is the learner model's own read: without it the rest of the view still stands.
  const knowledge = api(studentPath(id, 'knowledge')).catch((e) => e);
  try {
    const [mastery, history, prediction, path] = await Promise.all([
      api(studentPath(id, 'mastery')),
      api(studentPath(id, 'history')),
      api(studentPath(id, 'prediction')),
      api(studentPath(id, 'path')),
    ]);
    const known = await knowledge;
    if (state.selected !== id) return false; // another student was opened meanwhile
    error.hidden = true;
    renderStudent(mastery, history, prediction, path, known);
    return true;
  } catch (e) {
    if (state.selected !== id) return false;
    error.hidden = false;
    error.textContent = `Could not load ${id}: ${e.message}`;
    return false;
  }
}

function renderStudent(mastery, history, prediction, path, knowledge) {
  const opened = $('student-detail').hidden || $('student-name').textContent !== mastery.student_id;
  $('class-overview').hidden = true;
  $('student-detail').hidden = false;
  if (opened) {
    $('announce').textContent = `Showing ${mastery.student_id}`;
    // Beside the list the view scrolls in its own box: a new student starts at its head, not
    // where the summary or the last student was scrolled to. (A live refresh keeps the place.)
    $('student-view').scrollTop = 0;
  }
  $('student-name').textContent = mastery.student_id;
  $('student-asof').textContent = `as of ${mastery.as_of}`;
  $('student-score').textContent = fmt(mastery.mastery_score);
  const level = $('student-level');
  level.className = `badge level-${levelOf(mastery.level)}`;
  level.textContent = mastery.level;

  $('components').replaceChildren(
    ...COMPONENTS.map(([key, label, weight]) => {
      const value = mastery.components[key];
      return h(
        'div',
        { class: 'component', 'data-component': key },
        h('div', { class: 'component-head' }, h('span', { class: 'component-name' }, label), h('span', { class: 'component-value' }, fmt(value))),
        h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: `bar-fill ${value < 0.7 ? 'weak' : 'strong'}`, style: { width: pct(value) } })),
        h('div', { class: 'component-foot muted' }, `weight ${weight.toFixed(2)} · contributes ${fmt(mastery.breakdown[key])}`),
      );
    }),
  );

  renderForecast(prediction.forecast);
  renderPrediction(prediction);
  renderKnowledge(knowledge);
  renderChart(history, prediction, mastery.as_of);

  const recs = mastery.recommendations;
  $('recommendations').replaceChildren(
    ...(recs.length === 0
      ? [h('li', { class: 'muted' }, 'No recommendations: every component is at or above the threshold.')]
      : recs.map((r) =>
          h(
            'li',
            { class: `rec priority-${r.priority}` },
            h('span', { class: 'priority' }, r.priority),
            h(
              'span',
              { class: 'rec-text' },
              h('strong', {}, human(r.action)),
              ' ',
              r.area,
              r.topic ? h('span', { class: 'topic-tag' }, breakable(r.topic)) : null,
            ),
          ),
        )),
  );

  $('path').replaceChildren(...path.path.map((step) => h('li', {}, human(step))));

  const topics = mastery.topics ?? [];
  $('topics').replaceChildren(
    ...(topics.length === 0
      ? [h('tr', {}, h('td', { colspan: '3', class: 'muted' }, 'No topics reported.'))]
      : topics.map((t) =>
          h('tr', {}, h('td', {}, breakable(t.topic)), h('td', { class: 'num' }, scoreBar(t.mastery_score, t.level)), h('td', {}, badge(t.level))),
        )),
  );
}

/** The learner model's forecast: the expected score, its 80 % interval and its verdict. */
function renderForecast(f) {
  const box = $('forecast');
  if (!f) {
    box.replaceChildren(h('p', { class: 'muted' }, 'No forecast.'));
    return;
  }
  box.replaceChildren(
    h(
      'p',
      { class: 'forecast-line' },
      h('span', { class: 'forecast-value', id: 'forecast-value' }, fmt(f.score_in_7_days)),
      ' ',
      h('span', { class: 'forecast-range', id: 'forecast-range' }, `(${fmt(f.low)}–${fmt(f.high)})`),
      ' ',
      f.needs_help ? h('span', { class: 'flag', id: 'forecast-flag' }, 'Needs help') : h('span', { class: 'flag ok-flag', id: 'forecast-flag' }, 'On track'),
    ),
    intervalBar(f),
    h('p', { class: 'muted note' }, `80 % interval · ${human(f.method ?? '')} · model ${f.model_version ?? '—'}`),
  );
}

/** The seed's trend line (mastery-model): a straight line through the recent daily scores. */
function renderPrediction(p) {
  const box = $('prediction');
  if (p.prediction === null) {
    box.replaceChildren(h('p', { class: 'muted note' }, 'Trend line: not enough history yet (fewer than 3 days with events).'));
    return;
  }
  box.replaceChildren(
    h(
      'dl',
      {},
      h('div', {}, h('dt', {}, 'Now'), h('dd', {}, fmt(p.current))),
      h('div', {}, h('dt', {}, 'Trend line in 7 days'), h('dd', {}, fmt(p.prediction))),
      h('div', {}, h('dt', {}, 'Trend'), h('dd', { class: `trend trend-${p.trend}` }, TREND_LABEL[p.trend] ?? p.trend)),
      h('div', {}, h('dt', {}, 'Per day'), h('dd', {}, `${p.trend_per_day >= 0 ? '+' : ''}${p.trend_per_day.toFixed(4)}`)),
      h('div', {}, h('dt', {}, 'Confidence'), h('dd', {}, pct(p.confidence))),
    ),
  );
}

/** Per topic, the chance it is known and that the next answer is right; weakest first. */
function renderKnowledge(knowledge) {
  const note = $('knowledge-note');
  if (knowledge instanceof Error || !knowledge) {
    $('knowledge').replaceChildren(h('tr', {}, h('td', { colspan: '4', class: 'muted' }, 'Knowledge could not be loaded.')));
    note.textContent = knowledge instanceof Error ? knowledge.message : '';
    return;
  }
  const topics = [...knowledge.topics].sort((a, b) => a.p_known - b.p_known || a.topic.localeCompare(b.topic));
  $('knowledge').replaceChildren(
    ...(topics.length === 0
      ? [h('tr', {}, h('td', { colspan: '4', class: 'muted' }, 'No topics yet.'))]
      : topics.map((t) =>
          h(
            'tr',
            { 'data-topic': t.topic },
            h('td', { class: 'topic-name' }, breakable(t.topic)),
            h(
              'td',
              { class: 'num' },
              h(
                'span',
                { class: 'score-cell' },
                h('span', { class: 'p-known' }, pct(t.p_known)),
                h(
                  'span',
                  { class: 'bar', 'aria-hidden': 'true' },
                  h('span', { class: `bar-fill ${t.p_known < 0.5 ? 'weak' : 'strong'}`, style: { width: pct(t.p_known) } }),
                ),
              ),
            ),
            h('td', { class: 'num p-correct' }, pct(t.p_correct)),
            h('td', { class: 'num responses' }, String(t.responses)),
          ),
        )),
  );
  note.textContent = `Learner model ${knowledge.model_version}, as of ${knowledge.as_of}. A topic without answers shows the model's prior.`;
}

const daySeconds = (day) => Date.parse(`${day}T00:00:00Z`) / 1000;

function renderChart(history, prediction, asOf) {
  const box = $('chart');
  state.chart?.destroy();
  state.chart = null;
  box.replaceChildren();
  const points = new Map(history.days.map((d) => [daySeconds(d.date), { score: d.mastery_score, predicted: null }]));
  if (prediction.prediction !== null) {
    const now = daySeconds(asOf);
    const at = points.get(now) ?? { score: null, predicted: null };
    points.set(now, { ...at, predicted: prediction.current });
    points.set(now + 7 * DAY_SECONDS, { score: null, predicted: prediction.prediction });
  }
  if (points.size === 0) {
    box.append(h('p', { class: 'muted' }, 'No history yet.'));
    return;
  }
  const xs = [...points.keys()].sort((a, b) => a - b);
  const data = [xs, xs.map((x) => points.get(x).score), xs.map((x) => points.get(x).predicted)];
  const css = getComputedStyle(document.documentElement);
  const accent = css.getPropertyValue('--accent').trim() || '#3b5bdb';
  const dashed = css.getPropertyValue('--predict').trim() || '#e8590c';
  const width = Math.max(280, box.clientWidth || 600);
  state.chart = new uPlot(
    {
      width,
      height: 240,
      cursor: { drag: { x: false, y: false } },
      legend: { show: false },
      scales: { x: { time: true }, y: { range: [0, 1] } },
      axes: [
        { stroke: '#5c6370', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e3e6ea' } },
        { stroke: '#5c6370', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e3e6ea' }, values: (_u, v) => v.map((x) => x.toFixed(1)) },
      ],
      series: [
        {},
        { label: 'Score', stroke: accent, width: 2, fill: 'rgba(59, 91, 219, 0.08)', points: { size: 6, fill: accent }, spanGaps: true },
        { label: 'Prediction', stroke: dashed, width: 2, dash: [6, 5], points: { size: 6, fill: dashed }, spanGaps: true },
      ],
    },
    data,
    box,
  );
}

// ---------------------------------------------------------------------------------------------
// Live updates

function setLive(stateName, text) {
  const live = $('live');
  live.dataset.state = stateName;
  $('live-text').textContent = text;
}

function closeStream() {
  state.stream?.close();
  state.stream = null;
}

let refreshTimer = null;
const pending = new Set();

function openStream() {
  closeStream();
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return;
  setLive('connecting', 'Connecting…');
  // EventSource cannot send headers: the stream accepts the token in the query string.
  const stream = new EventSource(`/v1/stream?access_token=${encodeURIComponent(token)}`);
  state.stream = stream;
  stream.addEventListener('open', () => setLive('live', 'Live'));
  stream.addEventListener('error', () => {
    if (stream.readyState === EventSource.CLOSED) {
      setLive('offline', 'Offline');
      // Refused (an expired token?) or the server went away: check the token, then retry.
      setTimeout(async () => {
        if (state.stream !== stream) return;
        try {
          await loadClass();
          openStream();
        } catch (e) {
          if (e instanceof ApiError && e.status === 401) showSignIn('Your session has expired: sign in again.');
          else setTimeout(openStream, 5000);
        }
      }, 3000);
    } else {
      setLive('connecting', 'Reconnecting…');
    }
  });
  stream.addEventListener('mastery.updated', (event) => {
    let update;
    try {
      update = JSON.parse(event.data);
    } catch {
      return;
    }
    const id = update.student_id;
    const row = state.students.find((s) => s.student_id === id);
    if (row) {
      row.mastery_score = update.mastery_score;
      row.level = update.level;
      if (update.forecast) {
        const { score_in_7_days, low, high, needs_help } = update.forecast;
        row.forecast = { score_in_7_days, low, high };
        row.needs_help = needs_help;
      }
    }
    state.flash.add(id);
    renderClass();
    pending.add(id);
    // Trend and prediction are not in the event: refresh the list (and the open student) once a
    // burst of updates has settled.
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refreshAfterUpdates, 250);
  });
}

async function refreshAfterUpdates() {
  const changed = [...pending];
  pending.clear();
  try {
    await loadClass();
    showClassError(null);
  } catch (e) {
    showClassError(e);
  }
  if (state.selected && changed.includes(state.selected)) await loadStudent(state.selected);
  setTimeout(() => {
    for (const id of changed) state.flash.delete(id);
    renderClass();
  }, 1600);
}

// ---------------------------------------------------------------------------------------------
// Wiring

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token-input')
    .value.trim()
    .replace(/^Bearer\s+/i, '');
  if (token) void signIn(token);
});
$('sign-out').addEventListener('click', signOut);
$('close-student').addEventListener('click', closeStudent);
$('filter').addEventListener('input', (event) => {
  state.filter = event.target.value;
  renderClass();
});
$('needs-help').addEventListener('change', (event) => {
  state.needsHelp = event.target.checked;
  renderClass();
});
for (const th of document.querySelectorAll('#students th[data-key]')) {
  th.querySelector('button').addEventListener('click', () => {
    const key = th.dataset.key;
    state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : key === 'student_id' ? 1 : -1 };
    renderClass();
  });
}
const rows = $('student-rows');
const rowId = (event) => event.target.closest('tr[data-student]')?.dataset.student;
rows.addEventListener('click', (event) => {
  const id = rowId(event);
  if (id) void openStudent(id);
});
$('help-list').addEventListener('click', (event) => {
  const id = event.target.closest('button[data-student]')?.dataset.student;
  if (id) void openStudent(id);
});
rows.addEventListener('keydown', (event) => {
  const id = rowId(event);
  if (id && (event.key === 'Enter' || event.key === ' ')) {
    event.preventDefault();
    void openStudent(id);
  }
});
let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    const box = $('chart');
    state.chart?.setSize({ width: Math.max(280, box.clientWidth), height: 240 });
  }, 150);
});

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) void signIn(saved);
else showSignIn();
