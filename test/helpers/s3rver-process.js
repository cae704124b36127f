// Runs s3rver in a process of its own, started by s3-server.ts with --openssl-legacy-provider:
// s3rver encrypts list continuation tokens with DES, which Node 17+ offers only under that flag,
// so in a test worker every list longer than one page would fail.
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket, configs: [] }],
});
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
