import { describe, expect, it } from 'vitest';
import { SHORT_PATH_UPLOAD_BYTES, shortPathBody } from '../../../src/pipeline/short-path.js';

describe('which request bodies take the short path', () => {
  const big = String(SHORT_PATH_UPLOAD_BYTES);
  const small = String(SHORT_PATH_UPLOAD_BYTES - 1);
  it.each([
    ['GET without a body', 'GET', {}, { upload: false, chunked: false, length: 0 }],
    ['HEAD with Content-Length 0', 'HEAD', { 'content-length': '0' }, { upload: false, chunked: false, length: 0 }],
    ['GET with a body', 'GET', { 'content-length': '5' }, null],
    ['GET with a chunked body', 'GET', { 'transfer-encoding': 'chunked' }, null],
    ['a chunked POST upload', 'POST', { 'transfer-encoding': 'chunked' }, { upload: true, chunked: true, length: 0 }],
    ['a chunked upload spelled in capitals', 'PUT', { 'transfer-encoding': 'Chunked' }, { upload: true, chunked: true, length: 0 }],
    ['a large PUT upload', 'PUT', { 'content-length': big }, { upload: true, chunked: false, length: SHORT_PATH_UPLOAD_BYTES }],
    ['a POST below the upload size', 'POST', { 'content-length': small }, null],
    ['a POST without a body', 'POST', {}, null],
    ['a transfer coding other than chunked', 'POST', { 'transfer-encoding': 'gzip, chunked' }, null],
    ['a large DELETE', 'DELETE', { 'content-length': big }, null],
  ])('%s', (_what, method, headers, expected) => {
    expect(shortPathBody(method, headers)).toEqual(expected);
  });
});
