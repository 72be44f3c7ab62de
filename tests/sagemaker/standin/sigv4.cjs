// sigv4.cjs: checks a request's SigV4 header signature by re-signing it with
// AWS's own JS signer (@smithy/signature-v4) over exactly the headers the
// client signed, with the secret the stand-in knows for the access key.
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');
const { HttpRequest } = require('@smithy/protocol-http');

const AUTH_RE = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

function amzDateToMs(d) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(d || '');
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

function amzDate(ms) {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// keys: Map accessKeyId -> {secret, token?}. nowMs: the server's clock.
// Resolves {akid, region, service} or {error: {status, code, message}}.
async function verify(req, body, keys, nowMs) {
  const auth = req.headers.authorization;
  if (!auth) return { error: { status: 403, code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' } };
  const m = AUTH_RE.exec(auth);
  if (!m) return { error: { status: 400, code: 'IncompleteSignatureException', message: 'Authorization header requires Credential, SignedHeaders and Signature' } };
  const [, akid, day, region, service, signed, sig] = m;
  const key = keys.get(akid);
  if (!key) return { error: { status: 400, code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' } };
  const date = req.headers['x-amz-date'];
  const when = amzDateToMs(date);
  if (Number.isNaN(when) || date.slice(0, 8) !== day)
    return { error: { status: 400, code: 'IncompleteSignatureException', message: 'X-Amz-Date is missing or does not match the credential scope date' } };
  if (Math.abs(when - nowMs) > 5 * 60 * 1000) {
    const early = when < nowMs;
    return { error: { status: 400, code: 'InvalidSignatureException', skewed: true,
      message: early
        ? `Signature expired: ${date} is now earlier than ${amzDate(nowMs - 300000)} (${amzDate(nowMs)} - 5 min.)`
        : `Signature not yet current: ${date} is still later than ${amzDate(nowMs + 300000)} (${amzDate(nowMs)} + 5 min.)` } };
  }
  const names = signed.split(';');
  if (!names.includes('host')) return { error: { status: 400, code: 'IncompleteSignatureException', message: "'Host' must be a signed header" } };
  const token = req.headers['x-amz-security-token'];
  if (key.token && token !== key.token)
    return { error: { status: 400, code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' } };
  const h = {};
  for (const n of names) {
    if (n === 'x-amz-date') continue; // the signer adds it from signingDate
    const v = req.headers[n];
    if (v === undefined) return { error: { status: 400, code: 'InvalidSignatureException', message: `Signed header ${n} is not in the request` } };
    h[n] = Array.isArray(v) ? v.join(',') : v;
  }
  const u = new URL(req.url, 'http://' + (req.headers.host || 'localhost'));
  const query = {};
  for (const [k, v] of u.searchParams) query[k] = v;
  const signer = new SignatureV4({ credentials: { accessKeyId: akid, secretAccessKey: key.secret },
    region, service, sha256: Sha256, uriEscapePath: service !== 's3', applyChecksum: service === 's3' });
  const [hostname, port] = h.host.split(':');
  const out = await signer.sign(new HttpRequest({ method: req.method, protocol: 'http:', hostname,
    port: port ? +port : undefined, path: u.pathname, query, headers: h, body }),
  { signingDate: new Date(when), signableHeaders: new Set(names) });
  const sig2 = out.headers.authorization.split('Signature=')[1];
  if (sig2 !== sig)
    return { error: { status: 400, code: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' } };
  return { akid, region, service };
}

// A signer for the stand-in's own S3 calls.
function s3Signer(akid, secret, region) {
  return new SignatureV4({ credentials: { accessKeyId: akid, secretAccessKey: secret },
    region, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });
}

module.exports = { verify, s3Signer, amzDate, HttpRequest };
