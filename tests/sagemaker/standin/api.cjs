// api.cjs: the operations the stand-in answers. Each handler takes the
// request JSON, the server state and the verified signature {region} and
// returns {body} or {error: {status, code, message}}.


const NAME_RE = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const ROLE_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const S3_RE = /^(https|s3):\/\/([^/]+)\/?(.*)$/;
const TAG_RE = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const STATUSES = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];
const LOG_GROUP = '/aws/sagemaker/TrainingJobs';

const invalid = message => ({ error: { status: 400, code: 'ValidationException', message } });
const constraint = (value, where, what) =>
  invalid(`1 validation error detected: Value '${value}' at '${where}' failed to satisfy constraint: ${what}`);

function validateCreate(i, state) {
  const name = i.TrainingJobName;
  if (typeof name !== 'string' || !NAME_RE.test(name))
    return constraint(name, 'trainingJobName', 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}');
  if (typeof i.RoleArn !== 'string' || !ROLE_RE.test(i.RoleArn))
    return constraint(i.RoleArn, 'roleArn', 'Member must satisfy regular expression pattern: ^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$');
  const a = i.AlgorithmSpecification;
  if (!a || typeof a.TrainingImage !== 'string' || !a.TrainingImage)
    return invalid('AlgorithmSpecification.TrainingImage is required for a custom algorithm.');
  if (!['Pipe', 'File', 'FastFile'].includes(a.TrainingInputMode))
    return constraint(a.TrainingInputMode, 'algorithmSpecification.trainingInputMode', 'Member must satisfy enum value set: [Pipe, File, FastFile]');
  if (!i.OutputDataConfig || !S3_RE.test(i.OutputDataConfig.S3OutputPath || ''))
    return constraint(i.OutputDataConfig && i.OutputDataConfig.S3OutputPath, 'outputDataConfig.s3OutputPath', 'Member must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)$');
  const r = i.ResourceConfig;
  if (!r || typeof r.InstanceType !== 'string' || !/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(r.InstanceType))
    return constraint(r && r.InstanceType, 'resourceConfig.instanceType', 'Member must satisfy enum value set: [ml.m5.large, ml.c5.4xlarge, ml.g4dn.xlarge, ...]');
  if (!Number.isInteger(r.InstanceCount) || r.InstanceCount < 1)
    return constraint(r.InstanceCount, 'resourceConfig.instanceCount', 'Member must have value greater than or equal to 1');
  const sc = i.StoppingCondition;
  if (!sc || !Number.isInteger(sc.MaxRuntimeInSeconds) || sc.MaxRuntimeInSeconds < 1)
    return constraint(sc && sc.MaxRuntimeInSeconds, 'stoppingCondition.maxRuntimeInSeconds', 'Member must have value greater than or equal to 1');
  const hp = i.HyperParameters || {};
  if (Object.keys(hp).length > 100) return constraint('...', 'hyperParameters', 'Map value must have length less than or equal to 100');
  for (const [k, v] of Object.entries(hp)) {
    if (typeof v !== 'string') return invalid(`HyperParameters: the value of ${k} must be a string`);
    if (k.length > 256) return constraint(k, 'hyperParameters', 'Map keys must have length less than or equal to 256');
    if (v.length > 2500) return constraint(v.slice(0, 20) + '...', `hyperParameters.${k}`, 'Member must have length less than or equal to 2500');
  }
  const tags = i.Tags || [];
  if (tags.length > 50) return constraint('...', 'tags', 'Member must have length less than or equal to 50');
  for (const t of tags)
    if (typeof t.Key !== 'string' || t.Key.length < 1 || t.Key.length > 128 || !TAG_RE.test(t.Key) ||
        typeof t.Value !== 'string' || t.Value.length > 256 || !TAG_RE.test(t.Value))
      return invalid(`Tag ${JSON.stringify(t)} is invalid`);
  if (i.CheckpointConfig && !S3_RE.test(i.CheckpointConfig.S3Uri || ''))
    return constraint(i.CheckpointConfig.S3Uri, 'checkpointConfig.s3Uri', 'Member must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)$');
  for (const ch of i.InputDataConfig || [])
    if (!ch.ChannelName || !ch.DataSource || !ch.DataSource.S3DataSource || !S3_RE.test(ch.DataSource.S3DataSource.S3Uri || ''))
      return invalid(`InputDataConfig: channel ${ch.ChannelName} needs DataSource.S3DataSource.S3Uri`);
  if (state.rejectRoles.includes(i.RoleArn))
    return invalid(`Could not assume role ${i.RoleArn}. Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role.`);
  if (state.rejectImages.includes(a.TrainingImage))
    return invalid(`The image '${a.TrainingImage}' does not exist or the role does not have permission to pull it.`);
  return null;
}

function createTrainingJob(i, state, v) {
  const bad = validateCreate(i, state);
  if (bad) return bad;
  const old = state.jobs.jobs.get(i.TrainingJobName);
  if (old)
    return { error: { status: 400, code: 'ResourceInUse', message: `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${old.arn})` } };
  if (state.instanceLimit > 0 && state.jobs.inProgress() >= state.instanceLimit)
    return { error: { status: 400, code: 'ResourceLimitExceeded', message: `The account-level service limit '${i.ResourceConfig.InstanceType} for training job usage' is ${state.instanceLimit} Instances, with current utilization of ${state.jobs.inProgress()} Instances and a request delta of 1 Instances. Please use AWS Service Quotas to request an increase for this quota.` } };
  const job = state.jobs.create(i, v.region);
  return { body: { TrainingJobArn: job.arn } };
}

function findJob(i, state) {
  return state.jobs.jobs.get(i.TrainingJobName);
}

function describeTrainingJob(i, state) {
  const job = findJob(i, state);
  if (!job) return invalid('Requested resource not found.');
  return { body: state.jobs.describe(job) };
}

function stopTrainingJob(i, state) {
  const job = findJob(i, state);
  if (!job) return invalid('Requested resource not found.');
  if (job.status !== 'InProgress')
    return invalid(`The request was rejected because the training job is in status ${job.status}.`);
  state.jobs.stop(job);
  return { body: {} };
}

function pageToken(offset) { return Buffer.from(JSON.stringify({ o: offset })).toString('base64'); }
function pageOffset(tok) {
  try { return JSON.parse(Buffer.from(tok, 'base64').toString()).o; } catch (e) { return -1; }
}

function listTrainingJobs(i, state) {
  const max = i.MaxResults === undefined ? 10 : i.MaxResults;
  if (!Number.isInteger(max) || max < 1 || max > 100)
    return constraint(max, 'maxResults', 'Member must have value less than or equal to 100');
  if (i.StatusEquals && !STATUSES.includes(i.StatusEquals))
    return constraint(i.StatusEquals, 'statusEquals', `Member must satisfy enum value set: [${STATUSES.join(', ')}]`);
  if (i.NameContains !== undefined && !/^[a-zA-Z0-9-]+$/.test(i.NameContains))
    return constraint(i.NameContains, 'nameContains', 'Member must satisfy regular expression pattern: [a-zA-Z0-9\\-]+');
  let jobs = state.jobs.order.map(n => state.jobs.jobs.get(n)).filter(j =>
    (i.NameContains === undefined || j.name.toLowerCase().includes(i.NameContains.toLowerCase())) &&
    (!i.StatusEquals || j.status === i.StatusEquals) &&
    (i.CreationTimeAfter === undefined || j.creationTime > i.CreationTimeAfter) &&
    (i.CreationTimeBefore === undefined || j.creationTime < i.CreationTimeBefore) &&
    (i.LastModifiedTimeAfter === undefined || j.lastModified > i.LastModifiedTimeAfter) &&
    (i.LastModifiedTimeBefore === undefined || j.lastModified < i.LastModifiedTimeBefore));
  const by = i.SortBy || 'CreationTime';
  const key = by === 'Name' ? j => j.name : by === 'Status' ? j => j.status : j => j.creationTime;
  jobs = jobs.map((j, n) => [j, n]).sort((a, b) => {
    const x = key(a[0]), y = key(b[0]);
    return x < y ? -1 : x > y ? 1 : a[1] - b[1];
  }).map(p => p[0]);
  if ((i.SortOrder || 'Descending') === 'Descending') jobs.reverse();
  let off = 0;
  if (i.NextToken !== undefined) {
    off = pageOffset(i.NextToken);
    if (!Number.isInteger(off) || off < 0) return invalid('Invalid pagination token.');
  }
  const page = jobs.slice(off, off + max);
  const out = { TrainingJobSummaries: page.map(j => state.jobs.summary(j)) };
  if (off + max < jobs.length) out.NextToken = pageToken(off + max);
  return { body: out };
}

function streamsOf(state) {
  return state.jobs.order.map(n => state.jobs.jobs.get(n)).filter(j => j.stream);
}

function logGroupCheck(i) {
  if (i.logGroupName !== LOG_GROUP)
    return { error: { status: 400, code: 'ResourceNotFoundException', message: 'The specified log group does not exist.' } };
  return null;
}

function describeLogStreams(i, state) {
  const bad = logGroupCheck(i);
  if (bad) return bad;
  const limit = i.limit || 50;
  let streams = streamsOf(state).filter(j => !i.logStreamNamePrefix || j.stream.startsWith(i.logStreamNamePrefix));
  streams.sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  if (i.descending) streams.reverse();
  const off = i.nextToken ? pageOffset(i.nextToken) : 0;
  const page = streams.slice(off, off + limit);
  const out = {
    logStreams: page.map(j => {
      const s = { logStreamName: j.stream, creationTime: Math.floor(j.trainingStart * 1000),
        arn: `arn:aws:logs:${j.region}:${state.account}:log-group:${LOG_GROUP}:log-stream:${j.stream}`, storedBytes: 0 };
      if (j.events.length) {
        s.firstEventTimestamp = j.events[0].timestamp;
        s.lastEventTimestamp = j.events[j.events.length - 1].timestamp;
        s.lastIngestionTime = j.events[j.events.length - 1].ingestionTime;
      }
      return s;
    }),
  };
  if (off + limit < streams.length) out.nextToken = pageToken(off + limit);
  return { body: out };
}

// Tokens "f/<i>" and "b/<i>" are positions in the stream's events; a
// forward call with no new events answers the token it was given.
function getLogEvents(i, state) {
  const bad = logGroupCheck(i);
  if (bad) return bad;
  const j = streamsOf(state).find(x => x.stream === i.logStreamName);
  if (!j) return { error: { status: 400, code: 'ResourceNotFoundException', message: 'The specified log stream does not exist.' } };
  const limit = Math.min(i.limit || 10000, 10000);
  const evs = j.events.filter(e => (i.startTime === undefined || e.timestamp >= i.startTime) &&
    (i.endTime === undefined || e.timestamp < i.endTime));
  let from, to;
  const tok = /^([fb])\/(\d+)$/.exec(i.nextToken || '');
  if (i.nextToken && !tok)
    return { error: { status: 400, code: 'InvalidParameterException', message: 'The specified nextToken is invalid.' } };
  if (tok && tok[1] === 'f') { from = Math.min(+tok[2], evs.length); to = Math.min(from + limit, evs.length); }
  else if (tok) { to = Math.min(+tok[2], evs.length); from = Math.max(0, to - limit); }
  else if (i.startFromHead) { from = 0; to = Math.min(limit, evs.length); }
  else { to = evs.length; from = Math.max(0, to - limit); }
  return { body: { events: evs.slice(from, to), nextForwardToken: `f/${to}`, nextBackwardToken: `b/${from}` } };
}

const handlers = {
  'SageMaker.CreateTrainingJob': createTrainingJob,
  'SageMaker.DescribeTrainingJob': describeTrainingJob,
  'SageMaker.StopTrainingJob': stopTrainingJob,
  'SageMaker.ListTrainingJobs': listTrainingJobs,
  'Logs_20140328.DescribeLogStreams': describeLogStreams,
  'Logs_20140328.GetLogEvents': getLogEvents,
};
const services = {};
for (const t of Object.keys(handlers)) services[t] = t.startsWith('Logs_') ? 'logs' : 'sagemaker';

module.exports = { handlers, services, LOG_GROUP };

