// faults.cjs: faults the tests inject through POST /__faults. Each rule
// {op, kind, nth?, times?} applies to calls of op ("*": any call but the
// control paths): to the nth call of op (1-based, counted from when the
// rule was added), or else to the next `times` calls (default 1).
// Kinds: throttle, limit (ResourceLimitExceeded), server (500), unavailable
// (503), drop (connection closed without an answer), expired
// (ExpiredTokenException).
const KINDS = {
  throttle: { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
  limit: { status: 400, code: 'ResourceLimitExceeded', message: "The account-level service limit 'Number of instances across all training jobs' is 4 Instances, with current utilization of 4 Instances and a request delta of 1 Instances. Please use AWS Service Quotas to request an increase for this quota." },
  server: { status: 500, code: 'InternalFailure', message: 'An internal error occurred.' },
  unavailable: { status: 503, code: 'ServiceUnavailable', message: 'Service is unavailable.' },
  expired: { status: 400, code: 'ExpiredTokenException', message: 'The security token included in the request is expired' },
  drop: { drop: true },
};

class Faults {
  constructor() { this.reset(); }

  reset() {
    this.rules = [];
    this.injected = [];
  }

  add(rules) {
    for (const r of rules) {
      if (!KINDS[r.kind]) throw new Error(`unknown fault kind ${r.kind}`);
      this.rules.push({ op: r.op || '*', kind: r.kind, nth: r.nth || 0, times: r.times || 1, seen: 0 });
    }
  }

  // The fault for this call of op, or null.
  take(op) {
    for (const r of this.rules) {
      if (r.op !== '*' && r.op !== op) continue;
      r.seen++;
      if (r.nth ? r.seen === r.nth : r.times > 0) {
        if (!r.nth) r.times--;
        this.injected.push({ op, kind: r.kind });
        return KINDS[r.kind];
      }
    }
    return null;
  }
}

module.exports = { Faults };
