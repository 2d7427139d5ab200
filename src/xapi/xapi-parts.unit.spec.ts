/** The small parts of the xAPI mapping: the version header, topic names of long IRIs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topicOfIri } from './statement-topic.js';
import { checkVersionHeader } from './xapi-version.js';

describe('X-Experience-API-Version', () => {
  it('1.0, 1.0.x, 2.0 and 2.0.x are spoken, each answered with its newest patch', () => {
    assert.deepEqual(
      ['1.0', '1.0.0', '1.0.3', '2.0', '2.0.0'].map((v) => checkVersionHeader(v)),
      [
        { ok: true, answer: '1.0.3' },
        { ok: true, answer: '1.0.3' },
        { ok: true, answer: '1.0.3' },
        { ok: true, answer: '2.0.0' },
        { ok: true, answer: '2.0.0' },
      ],
    );
  });

  it('no header, an older or a newer version is refused with a sentence', () => {
    for (const v of [undefined, '', '0.95', '1.1.0', '3.0.0', '1.0.3; 2.0.0', ['1.0.3', '2.0.0']]) {
      const r = checkVersionHeader(v);
      assert.ok(!r.ok, String(v));
      assert.match(r.problem, /X-Experience-API-Version/);
    }
  });
});

describe('topic names of activity IRIs', () => {
  it('keep a short IRI readable, and give a long one its end and a hash of the whole', () => {
    assert.equal(topicOfIri('https://h5p.org/node/12'), 'h5p.org.node.12');
    assert.equal(topicOfIri('urn:course:python-101'), 'course.python-101');
    const long = (n: number) => `https://lms.example.org/${'course/'.repeat(12)}unit-${n}`;
    const [a, b] = [topicOfIri(long(1))!, topicOfIri(long(2))!];
    assert.ok(a.length <= 64 && b.length <= 64);
    assert.match(a, /unit-1-[0-9a-f]{12}$/);
    assert.notEqual(a, b);
    assert.equal(topicOfIri('.'), null);
  });
});
