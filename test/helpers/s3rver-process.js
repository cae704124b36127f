// Runs s3rver in a process of its own, started by s3-server.ts with --openssl-legacy-provider:
// s3rver encrypts list continuation tokens with DES, which Node 17+ offers only under that flag,
// so in a test worker every list longer than one page would fail.
import { Buffer } from 'node:buffer';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import S3rver from 's3rver';

const [directory, bucket, stagingDirectory] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket, configs: [] }],
});
replaceObjectsAtomically(server.store, stagingDirectory);
const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);

// The parent ends our standard input to stop us, and it also ends if the parent dies.
process.stdin.resume();
process.stdin.on('end', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

/**
 * S3 replaces an object whole, and a put is answered once the object is stored. s3rver writes
 * the object file in place and answers before the write has finished, so a get right after
 * concurrent puts of one key can read a file another put has just truncated. Here each body
 * is written to a staging file in full and renamed over the object before the put is answered.
 */
function replaceObjectsAtomically(store, stagingDirectory) {
  store.putObject = async (object) => {
    const content = Buffer.isBuffer(object.content) ? object.content : await collect(object.content);
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    const staging = join(stagingDirectory, randomUUID());
    await mkdir(stagingDirectory, { recursive: true });
    await mkdir(dirname(objectPath), { recursive: true });
    await writeFile(staging, content);
    await rename(staging, objectPath);
    const md5 = createHash('md5').update(content).digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: content.length, md5 };
  };
}

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
