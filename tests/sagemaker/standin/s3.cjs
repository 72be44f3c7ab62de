// s3.cjs: the few S3 calls the stand-in makes for its training jobs (path
// style, signed with @smithy/signature-v4) against the loopback S3 server:
// list a prefix, get and put an object.
const http = require('http');
const { s3Signer } = require('./sigv4.cjs');
const { HttpRequest } = require('@smithy/protocol-http');

function encodeKey(key) {
  return key.split('/').map(s => encodeURIComponent(s).replace(/[!'()*]/g,
    c => '%' + c.charCodeAt(0).toString(16).toUpperCase())).join('/');
}

// "s3://bucket/a/b" -> {bucket, key: "a/b"}
function parseUri(uri) {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri || '');
  return m ? { bucket: m[1], key: m[2] } : null;
}

class S3 {
  // endpoint: "http://127.0.0.1:port"; creds "AKID:SECRET"
  constructor(endpoint, creds, region) {
    const u = new URL(endpoint);
    this.hostname = u.hostname;
    this.port = +u.port;
    const [akid, secret] = creds.split(':');
    this.signer = s3Signer(akid, secret, region || 'us-east-1');
  }

  async call(method, path, query, body) {
    const req = new HttpRequest({ method, protocol: 'http:', hostname: this.hostname, port: this.port,
      path, query: query || {}, headers: { host: `${this.hostname}:${this.port}` }, body: body || undefined });
    if (body) req.headers['content-length'] = String(body.length);
    const signed = await this.signer.sign(req);
    const qs = Object.entries(signed.query).map(([k, v]) =>
      `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    return new Promise((resolve, reject) => {
      const r = http.request({ host: this.hostname, port: this.port, method, path: path + (qs ? '?' + qs : ''),
        headers: signed.headers }, res => {
        const chunks = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      });
      r.on('error', reject);
      if (body) r.write(body);
      r.end();
    });
  }

  async list(bucket, prefix) {
    const keys = [];
    let token;
    for (;;) {
      const q = { 'list-type': '2', prefix };
      if (token) q['continuation-token'] = token;
      const res = await this.call('GET', `/${bucket}`, q);
      if (res.status !== 200) throw new Error(`ListObjectsV2 s3://${bucket}/${prefix}: HTTP ${res.status}`);
      const xml = res.body.toString();
      for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(unxml(m[1]));
      const t = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml);
      if (!/<IsTruncated>true<\/IsTruncated>/.test(xml) || !t) break;
      token = unxml(t[1]);
    }
    return keys;
  }

  async get(bucket, key) {
    const res = await this.call('GET', `/${bucket}/${encodeKey(key)}`);
    if (res.status !== 200) throw new Error(`GetObject s3://${bucket}/${key}: HTTP ${res.status}`);
    return res.body;
  }

  async put(bucket, key, data) {
    const res = await this.call('PUT', `/${bucket}/${encodeKey(key)}`, null, data);
    if (res.status !== 200) throw new Error(`PutObject s3://${bucket}/${key}: HTTP ${res.status}`);
  }
}

function unxml(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

module.exports = { S3, parseUri };
