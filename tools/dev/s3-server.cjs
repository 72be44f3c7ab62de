// s3-server.cjs: @20minutes/s3rver (verifies SigV4 header signatures) on
// 127.0.0.1 for hpolab's tests. The npm package ships no CLI, so it is
// started through the library. argv: PORT (0: any free) DATA_DIR BUCKET...
// Prints "listening on 127.0.0.1:<port>" once it accepts connections.
const S3rver = require('@20minutes/s3rver');
const port = Number(process.argv[2] || 0);
const dir = process.argv[3] || 's3rver-data';
const buckets = process.argv.slice(4);
// HPOLAB_S3_SERVER_KEYS="AKID:SECRET,...": key pairs accepted besides
// S3RVER:S3RVER (a test's own, e.g. a sentinel secret)
for (const kp of (process.env.HPOLAB_S3_SERVER_KEYS || '').split(',').filter(Boolean)) {
  const i = kp.indexOf(':');
  require('@20minutes/s3rver/lib/models/account').DUMMY_ACCOUNT.createKeyPair(kp.slice(0, i), kp.slice(i + 1));
}
const server = new S3rver({
  address: '127.0.0.1', port, directory: dir, silent: true,
  configureBuckets: (buckets.length ? buckets : ['testbucket']).map(name => ({ name })),
});
server.run().then(addr => {
  const p = addr && addr.port ? addr.port : port;
  console.log(`listening on 127.0.0.1:${p}`);
}, e => { console.error(e); process.exit(1); });
// HPOLAB_S3_SERVER_OWNER_PID: stop when that process (a test) is gone, so
// a killed test leaves no server behind.
const owner = Number(process.env.HPOLAB_S3_SERVER_OWNER_PID || 0);
if (owner > 0) {
  setInterval(() => {
    try { process.kill(owner, 0); } catch (e) { server.close().finally(() => process.exit(0)); }
  }, 1000).unref();
}
process.on('SIGTERM', () => server.close().then(() => process.exit(0), () => process.exit(0)));
