/**
 * Posts one xAPI statement to the Mastery Engine, as a learning platform would (docs/xapi.md).
 *
 *   node --import tsx examples/post-xapi-statements.ts http://127.0.0.1:8080 "$TOKEN" [student]
 *
 * The token is one that may post events (`mastery token --role service --sub lms`). The
 * statement is H5P's True/False answer as H5P emits it, by a student with an account: the engine
 * maps it to one answer (response.recorded) of that student, on the topic its parent activity
 * names. It prints the answer — the statement's id — and exits 1 if the engine refused it.
 */

const [url = 'http://127.0.0.1:8080', token, student = 'stu-001'] = process.argv.slice(2);
if (!token) {
  console.error('usage: post-xapi-statements.ts BASE_URL TOKEN [STUDENT]');
  process.exit(2);
}

const statement = {
  // The statement's id is the event's: sending this again changes nothing. Without one, the
  // engine derives an id from the statement's content.
  id: crypto.randomUUID(),
  timestamp: new Date().toISOString(),
  actor: { objectType: 'Agent', account: { homePage: 'https://lms.example.org', name: student } },
  verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { 'en-US': 'answered' } },
  object: {
    id: 'https://h5p.org/true-false',
    objectType: 'Activity',
    definition: {
      name: { 'en-US': 'True/False Question' },
      interactionType: 'true-false',
      type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
      correctResponsesPattern: ['true'],
    },
  },
  context: { contextActivities: { parent: [{ id: 'https://h5p.org/node/geography-quiz', objectType: 'Activity' }] } },
  result: { score: { min: 0, max: 1, raw: 1, scaled: 1 }, completion: true, success: true, duration: 'PT4.92S', response: 'true' },
};

const response = await fetch(`${url}/xapi/statements`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-experience-api-version': '1.0.3' },
  body: JSON.stringify(statement),
});
console.log(response.status, response.headers.get('x-experience-api-version'), await response.text());
process.exit(response.ok ? 0 : 1);
