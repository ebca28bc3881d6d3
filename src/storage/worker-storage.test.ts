import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../errors/gateway-error.js';
import { rebuildError } from './worker-storage.js';

test('errors from the storage worker: gateway codes come back as GatewayError, driver codes as plain errors', () => {
  const gateway = rebuildError({ message: 'name: taken', code: 'conflict', param: 'name' });
  assert.ok(gateway instanceof GatewayError);
  assert.equal(gateway.status, 409);
  const driver = rebuildError({ message: 'database is locked', code: 'SQLITE_BUSY' });
  assert.ok(!(driver instanceof GatewayError));
  assert.equal((driver as Error & { code?: string }).code, 'SQLITE_BUSY');
  assert.equal(driver.message, 'database is locked');
});
