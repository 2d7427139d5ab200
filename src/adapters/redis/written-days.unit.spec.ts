import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWrittenDays } from './written-days.js';

describe('written days: what this process last wrote per student', () => {
  const values = (v: string) => new Map([['2026-01-12', [v, v, v, v]]]);

  it('answers only for the version it was written at', () => {
    const written = createWrittenDays(10);
    written.remember('a', '7', values('0.5'));
    assert.deepEqual(written.at('a', '7'), values('0.5'));
    assert.equal(written.at('a', '8'), undefined, 'another version: someone else wrote since');
    assert.equal(written.at('a', null), undefined, 'no version: nothing stored');
    assert.equal(written.at('b', '7'), undefined);
    written.remember('a', '8', values('0.6'));
    assert.equal(written.at('a', '7'), undefined, 'replaced by the newer write');
    written.forget(['a']);
    assert.equal(written.at('a', '8'), undefined, 'forgotten');
  });

  it('keeps the students written most recently, up to its bound', () => {
    const written = createWrittenDays(2);
    written.remember('a', '1', values('0.1'));
    written.remember('b', '1', values('0.2'));
    written.remember('a', '2', values('0.3'));
    written.remember('c', '1', values('0.4'));
    assert.equal(written.at('b', '1'), undefined, 'written longest ago: forgotten');
    assert.deepEqual(written.at('a', '2'), values('0.3'));
    assert.deepEqual(written.at('c', '1'), values('0.4'));
  });
});
