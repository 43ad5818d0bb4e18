import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { encryptedFileSize } from '../../lib/crypto';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../../lib/ipfs/upload-limit';
import { largestDocumentBytes } from './document-limit';

describe('largestDocumentBytes', () => {
  for (const limit of [DEFAULT_MAX_UPLOAD_BYTES, 25 * 1_048_576, 1_048_576 + 5_000, 10_000]) {
    it(`gives the largest file whose encrypted upload fits ${limit} bytes`, () => {
      const largest = largestDocumentBytes(limit);
      assert.ok(largest > 0);
      assert.ok(encryptedFileSize(largest) + 4_096 <= limit, 'the largest file fits');
      assert.ok(encryptedFileSize(largest + 1) + 4_096 > limit, 'one byte more does not');
    });
  }

  it('lets the default limit take a 2 GiB study but for its encryption overhead', () => {
    assert.ok(largestDocumentBytes(DEFAULT_MAX_UPLOAD_BYTES) > DEFAULT_MAX_UPLOAD_BYTES - 64 * 1_024);
  });

  it('is 0 when not even an empty file fits', () => {
    assert.equal(largestDocumentBytes(100), 0);
  });
});
