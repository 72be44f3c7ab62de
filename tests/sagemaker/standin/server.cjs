// server.cjs: loopback stand-in for SageMaker (training jobs), CloudWatch
// Logs (the jobs' logs) and STS GetCallerIdentity, for hpolab's tests.
// Every request's SigV4 is checked with @smithy/signature-v4; answers have
// the shapes of the AWS JSON 1.1 protocol (reference aws.md §3). See
// README.md for the contract, the control paths and the faults.
// argv: DATA_DIR. Prints "listening on 127.0.0.1:<port>".
const http = require('http');
const fs = require('fs');
const path = require('path');
const { verify } = require('./sigv4.cjs');
const { S3 } = require('./s3.cjs');
const { Jobs, ENDED } = require('./jobs.cjs');
const { Faults } = require('./faults.cjs');
const api = require('./api.cjs');

const env = process.env;
const dataDir = path.resolve(process.argv[2] || 'standin-data');
fs.mkdirSync(dataDir, { recursive: true });

// accepted credentials: "AKID:SECRET[:TOKEN],..."
const keys = new Map();
for (const c of (env.HPOLAB_STANDIN_CREDENTIALS || 'S3RVER:S3RVER').split(',')) {
  const [akid, secret, token] = c.split(':');
  keys.set(akid, { secret, token });
}
const s3 = env.HPOLAB_STANDIN_S3_ENDPOINT
  ? new S3(env.HPOLAB_STANDIN_S3_ENDPOINT, env.HPOLAB_STANDIN_S3_CREDENTIALS || 'S3RVER:S3RVER', 'us-east-1')
  : null;
const state = {
  account: env.HPOLAB_STANDIN_ACCOUNT || '123456789012',
  skewMs: 0,                 // the server's clock minus the real one
  rejectImages: [], rejectRoles: [],
  instanceLimit: 0,          // >0: ResourceLimitExceeded past that many jobs in progress
  requests: [],              // recorded calls (no header values)
  keys,
};
state.jobs = new Jobs({
  dataDir, s3, account: state.account,
  entry: env.HPOLAB_STANDIN_ENTRY || path.resolve(__dirname, '../../../tools/container/entry.sh'),
  syncMs: Number(env.HPOLAB_STANDIN_SYNC_MS || 2000),
  graceMs: Number(env.HPOLAB_STANDIN_GRACE_MS || 120000),
});
state.faults = new Faults();

function send(res, status, body, headers) {
  const b = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  res.writeHead(status, Object.assign({
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': b.length,
    'Date': new Date(Date.now() + state.skewMs).toUTCString(),
    'x-amzn-RequestId': `${Date.now().toString(16)}-${Math.random().toString(16).slice(2, 10)}`,
  }, headers || {}));
  res.end(b);
}

function sendError(res, e, sts) {
  if (sts) {
    // the query protocol's XML error (STS); a skewed clock is a signature error there
    const code = e.skewed ? 'SignatureDoesNotMatch' : e.code === 'InvalidSignatureException' ? 'SignatureDoesNotMatch' : e.code;
    return send(res, e.status === 400 && code === 'SignatureDoesNotMatch' ? 403 : e.status,
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(e.message)}</Message></Error><RequestId>0</RequestId></ErrorResponse>`,
      { 'Content-Type': 'text/xml' });
  }
  send(res, e.status, { __type: e.code, message: e.message }, { 'x-amzn-ErrorType': `${e.code}:http://internal.amazon.com/coral/com.amazon.coral.service/` });
}

function xml(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }

function control(req, res, body) {
  let input = {};
  try { input = body.length ? JSON.parse(body) : {}; } catch (e) { return send(res, 400, { error: 'bad JSON' }); }
  const p = req.url;
  if (p === '/__faults') {
    try { state.faults.add(input.rules || []); } catch (e) { return send(res, 400, { error: e.message }); }
    if (input.skew !== undefined) state.skewMs = input.skew * 1000;
    if (input.rejectImages) state.rejectImages = input.rejectImages;
    if (input.rejectRoles) state.rejectRoles = input.rejectRoles;
    if (input.instanceLimit !== undefined) state.instanceLimit = input.instanceLimit;
    return send(res, 200, {});
  }
  if (p === '/__state') {
    const jobs = {};
    for (const j of state.jobs.jobs.values())
      jobs[j.name] = { status: j.status, secondary: j.secondary, failureReason: j.failureReason,
        checkpointUploads: j.checkpointUploads || 0, syncError: j.syncError, root: j.root,
        hyperParameters: j.input.HyperParameters, tags: j.input.Tags };
    return send(res, 200, { jobs, maxInProgressSeen: state.jobs.maxInProgressSeen, inProgress: state.jobs.inProgress(),
      injected: state.faults.injected, requests: state.requests });
  }
  if (p === '/__reset') {
    state.faults.reset();
    state.skewMs = 0;
    state.rejectImages = [];
    state.rejectRoles = [];
    state.instanceLimit = 0;
    state.requests = [];
    return send(res, 200, {});
  }
  send(res, 404, { error: `no control path ${p}` });
}

async function handle(req, res, body) {
  if (req.url.startsWith('/__')) return control(req, res, body);
  const target = req.headers['x-amz-target'] || '';
  const sts = !target && /Action=GetCallerIdentity/.test(body.toString());
  const op = sts ? 'GetCallerIdentity' : target.replace(/^.*\./, '');
  const rec = { op, at: Date.now() / 1000 };
  state.requests.push(rec);
  const v = await verify(req, body, keys, Date.now() + state.skewMs);
  if (v.error) { rec.status = v.error.status; rec.error = v.error.code; return sendError(res, v.error, sts); }
  const f = state.faults.take(op);
  if (f && f.drop) { rec.error = 'dropped'; return req.socket.destroy(); }
  if (f) { rec.status = f.status; rec.error = f.code; return sendError(res, f, sts); }
  if (sts) {
    rec.status = 200;
    return send(res, 200, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${state.account}:user/standin</Arn><UserId>AIDASTANDIN</UserId><Account>${state.account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>0</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      { 'Content-Type': 'text/xml' });
  }
  let input;
  try { input = body.length ? JSON.parse(body) : {}; } catch (e) {
    return sendError(res, { status: 400, code: 'SerializationException', message: 'Start of structure or map found where not expected.' });
  }
  const h = api.handlers[target];
  if (!h) return sendError(res, { status: 400, code: 'UnknownOperationException', message: `Unknown operation ${target}` });
  if (api.services[target] !== v.service)
    return sendError(res, { status: 400, code: 'InvalidSignatureException', message: `Credential should be scoped to correct service: '${api.services[target]}'.` });
  const out = h(input, state, v);
  rec.status = out.error ? out.error.status : 200;
  if (out.error) { rec.error = out.error.code; return sendError(res, out.error); }
  send(res, 200, out.body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => handle(req, res, Buffer.concat(chunks)).catch(e => {
    console.error(e);
    sendError(res, { status: 500, code: 'InternalFailure', message: e.message });
  }));
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${server.address().port}`));

// stop every job's process group with the server
function shutdown() {
  for (const j of state.jobs.jobs.values())
    if (j.proc && j.exitCode === undefined && !ENDED.has(j.status)) {
      try { process.kill(-j.proc.pid, 'SIGKILL'); } catch (e) { /* gone */ }
    }
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
const owner = Number(env.HPOLAB_STANDIN_OWNER_PID || 0);
if (owner > 0) {
  setInterval(() => { try { process.kill(owner, 0); } catch (e) { shutdown(); } }, 1000).unref();
}
