import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRequestId } from './request-id.js';

test('request ids are UUIDv7: version 7, RFC variant, the current millisecond first, unique', () => {
  const before = Date.now();
  const ids = Array.from({ length: 5000 }, () => newRequestId());
  const after = Date.now();
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) {
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    assert.ok(ms >= before && ms <= after, `${ms} in [${before}, ${after}]`);
  }
  // The timestamp prefix never goes back: the log's primary key grows at its end.
  for (let index = 1; index < ids.length; index++) assert.ok(ids[index]!.slice(0, 13) >= ids[index - 1]!.slice(0, 13));
});
