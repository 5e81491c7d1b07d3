import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ancestorIndexes, threadRoot } from './conversation-index.ts';

const root = Buffer.alloc(22, 1);
const child1 = Buffer.concat([root, Buffer.alloc(5, 2)]);
const child2 = Buffer.concat([child1, Buffer.alloc(5, 3)]);

describe('conversation index', () => {
  it('lists ancestors nearest first, ending at the thread root', () => {
    assert.deepEqual(ancestorIndexes(child2.toString('base64')), [child1.toString('base64'), root.toString('base64')]);
    assert.deepEqual(ancestorIndexes(root.toString('base64')), []);
    assert.equal(threadRoot(child2.toString('base64')), root.toString('base64'));
  });
  it('ignores malformed indexes', () => {
    assert.deepEqual(ancestorIndexes(Buffer.alloc(25).toString('base64')), []);
    assert.equal(threadRoot(Buffer.alloc(10).toString('base64')), null);
  });
});
