// The GraphQL-over-HTTP conformance audit of `graphql-http` against a live server.
//
//   node audit.mjs http://127.0.0.1:8000/graphql [--json] [--with-cookie]
//
// Prints one line per audit and a count per requirement level (MUST, SHOULD, MAY);
// exits 1 if any audit fails, 2 on a fatal error. Requests go out as the audit
// makes them. --with-cookie adds a `Cookie` header, as a browser would attach
// one cross-site: the server's CSRF prevention then refuses the GET audits.
import { serverAudits } from 'graphql-http';

const args = process.argv.slice(2);
const url = args.find((a) => !a.startsWith('--'));
if (!url) {
  console.error('usage: node audit.mjs <url> [--json] [--with-cookie]');
  process.exit(2);
}
const withCookie = args.includes('--with-cookie');

function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers);
  if (withCookie) headers.set('cookie', 'session=from-another-site');
  return fetch(input, { ...init, headers });
}

const results = [];
for (const audit of serverAudits({ url, fetchFn })) {
  results.push(await audit.fn());
}

const levels = { MUST: { ok: 0, failed: 0 }, SHOULD: { ok: 0, failed: 0 }, MAY: { ok: 0, failed: 0 } };
const failures = [];
for (const result of results) {
  const level = result.name.split(' ')[0];
  if (result.status === 'ok') {
    levels[level].ok += 1;
  } else {
    levels[level].failed += 1;
    let body = '';
    try {
      body = await result.response.text();
    } catch {
      // the body was read by the audit already
    }
    failures.push({ id: result.id, name: result.name, reason: result.reason, status: result.response?.status, body: body.slice(0, 2000) });
  }
}

if (args.includes('--json')) {
  console.log(JSON.stringify({ levels, failures }, null, 2));
} else {
  for (const f of failures) console.log(`FAIL ${f.id} ${f.name}: ${f.reason}`);
  for (const [level, { ok, failed }] of Object.entries(levels)) {
    console.log(`${level}: ${ok} passed, ${failed} failed of ${ok + failed}`);
  }
}
process.exit(failures.length ? 1 : 0);
