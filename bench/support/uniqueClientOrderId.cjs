'use strict';
/* global module, require */
// autocannon `setupRequest` (loaded with require() inside autocannon's worker thread): every request
// gets a fresh clientOrderId, so each one is a new execution rather than an idempotent repeat.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- autocannon require()s this file: CommonJS
const { randomUUID } = require('node:crypto');

module.exports = (request) => ({
  ...request,
  body: request.body.replace('__CLIENT_ORDER_ID__', randomUUID()),
});
