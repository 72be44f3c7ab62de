// jobs.cjs: the stand-in's training jobs. One job = one local process: the
// container entry script started on a fresh /opt/ml-like tree (its root in
// HPOLAB_ML_ROOT), input channels and checkpoints downloaded from the S3
// server, checkpoints synced back while it runs and at the end, stdout and
// stderr lines kept as the job's CloudWatch Logs events.
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { parseUri } = require('./s3.cjs');

const ENDED = new Set(['Completed', 'Failed', 'Stopped']);

function mkdirs(...dirs) { for (const d of dirs) fs.mkdirSync(d, { recursive: true }); }

function safeRel(rel) {
  return rel !== '' && !rel.split('/').some(s => s === '..' || s === '.') && !rel.startsWith('/');
}

// files under dir, relative paths
function walk(dir, base = dir, out = []) {
  let ents = [];
  try { ents = fs.readdirSync(dir, { withFileTypes: true }); } catch (e) { return out; }
  for (const e of ents) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else if (e.isFile()) out.push(path.relative(base, p));
  }
  return out;
}

// The environment of a job: the stand-in's own minus every AWS credential
// and stand-in setting (a container gets only its role), plus the job's.
function jobEnv(job, root) {
  const env = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(AWS_|HPOLAB_STANDIN_|HPOLAB_S3_SERVER_)/.test(k)) env[k] = v;
  Object.assign(env, job.input.Environment || {});
  env.TRAINING_JOB_NAME = job.name;
  env.TRAINING_JOB_ARN = job.arn;
  env.HPOLAB_ML_ROOT = root;
  return env;
}

class Jobs {
  // opts: {dataDir, entry, s3 (S3 or null), syncMs, graceMs, account}
  constructor(opts) {
    this.opts = opts;
    this.jobs = new Map();
    this.order = [];
    this.maxInProgressSeen = 0;
  }

  inProgress() {
    let n = 0;
    for (const j of this.jobs.values()) if (j.status === 'InProgress' || j.status === 'Stopping') n++;
    return n;
  }

  create(input, region) {
    const now = Date.now() / 1000;
    const name = input.TrainingJobName;
    const job = {
      name, input, region,
      arn: `arn:aws:sagemaker:${region}:${this.opts.account}:training-job/${name.toLowerCase()}`,
      status: 'InProgress', secondary: 'Starting', transitions: [],
      creationTime: now, lastModified: now, events: [], stream: null, lastStderr: '',
      stopRequested: false, maxRuntimeHit: false, uploaded: new Map(), syncing: Promise.resolve(),
    };
    this.transition(job, 'Starting', 'Launching requested ML instances');
    this.jobs.set(name, job);
    this.order.push(name);
    this.maxInProgressSeen = Math.max(this.maxInProgressSeen, this.inProgress());
    this.run(job).catch(e => this.finish(job, 'Failed', `ClientError: ${e.message}`));
    return job;
  }

  transition(job, status, message) {
    const now = Date.now() / 1000;
    const last = job.transitions[job.transitions.length - 1];
    if (last && !last.EndTime) last.EndTime = now;
    job.transitions.push({ Status: status, StartTime: now, StatusMessage: message });
    job.secondary = status;
    job.lastModified = now;
  }

  log(job, message) {
    const t = Date.now();
    job.events.push({ timestamp: t, message, ingestionTime: t });
  }

  async run(job) {
    const o = this.opts;
    const root = path.join(o.dataDir, 'jobs', job.name);
    job.root = root;
    const cfg = path.join(root, 'input', 'config');
    mkdirs(cfg, path.join(root, 'input', 'data'), path.join(root, 'checkpoints'),
      path.join(root, 'model'), path.join(root, 'output', 'data'), path.join(root, 'code'));
    const inp = job.input;
    fs.writeFileSync(path.join(cfg, 'hyperparameters.json'), JSON.stringify(inp.HyperParameters || {}));
    fs.writeFileSync(path.join(cfg, 'resourceconfig.json'), JSON.stringify(
      { current_host: 'algo-1', current_instance_type: inp.ResourceConfig.InstanceType,
        hosts: ['algo-1'], network_interface_name: 'eth0' }));
    const idc = {};
    for (const ch of inp.InputDataConfig || [])
      idc[ch.ChannelName] = { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' };
    fs.writeFileSync(path.join(cfg, 'inputdataconfig.json'), JSON.stringify(idc));
    if (inp.CheckpointConfig)
      fs.writeFileSync(path.join(cfg, 'checkpointconfig.json'), JSON.stringify(
        { LocalPath: inp.CheckpointConfig.LocalPath || '/opt/ml/checkpoints', S3Uri: inp.CheckpointConfig.S3Uri }));

    this.transition(job, 'Downloading', 'Downloading input data');
    for (const ch of inp.InputDataConfig || []) {
      const uri = ch.DataSource && ch.DataSource.S3DataSource && ch.DataSource.S3DataSource.S3Uri;
      const n = await this.download(uri, path.join(root, 'input', 'data', ch.ChannelName));
      if (n === 0) throw new Error(`No S3 objects found under S3 URL "${uri}" given in input data source. Please ensure that the bucket exists in the selected region (${job.region}), that objects exist under that S3 prefix, and that the role "${inp.RoleArn}" has "s3:ListBucket" permissions on bucket "${parseUri(uri).bucket}".`);
    }
    if (inp.CheckpointConfig)
      await this.download(dirUri(inp.CheckpointConfig.S3Uri), path.join(root, 'checkpoints'));
    // what was restored counts as uploaded
    for (const rel of walk(path.join(root, 'checkpoints'))) {
      const st = fs.statSync(path.join(root, 'checkpoints', rel));
      job.uploaded.set(rel, `${st.size}:${st.mtimeMs}`);
    }
    if (job.stopRequested) return this.finish(job, 'Stopped');

    this.transition(job, 'Training', 'Training image download completed. Training in progress.');
    job.trainingStart = Date.now() / 1000;
    job.stream = `${job.name}/algo-1-${Math.floor(job.trainingStart)}`;
    const proc = spawn(o.entry, ['train'], { cwd: root, env: jobEnv(job, root), detached: true,
      stdio: ['ignore', 'pipe', 'pipe'] });
    job.proc = proc;
    this.lines(job, proc.stdout, false);
    this.lines(job, proc.stderr, true);
    job.syncTimer = setInterval(() => this.sync(job), o.syncMs);
    const max = inp.StoppingCondition && inp.StoppingCondition.MaxRuntimeInSeconds;
    if (max) job.maxTimer = setTimeout(() => { job.maxRuntimeHit = true; this.terminate(job); }, max * 1000);
    await new Promise(resolve => {
      proc.on('error', e => { job.spawnError = e.message; });
      proc.on('close', (code, signal) => { job.exitCode = code; job.exitSignal = signal; resolve(); });
    });
    clearInterval(job.syncTimer);
    clearTimeout(job.maxTimer);
    clearTimeout(job.killTimer);
    this.transition(job, 'Uploading', 'Uploading generated training model');
    await this.sync(job);
    await this.uploadModel(job);
    if (job.stopRequested) return this.finish(job, 'Stopped');
    if (job.maxRuntimeHit)
      return this.finish(job, 'Failed', `MaxRuntimeExceeded: Training job ran longer than MaxRuntimeInSeconds (${max} s) and was stopped.`, 'MaxRuntimeExceeded');
    if (job.spawnError) return this.finish(job, 'Failed', `ClientError: cannot start the entry ${o.entry}: ${job.spawnError}`);
    if (job.exitCode === 0) return this.finish(job, 'Completed');
    let reason = '';
    try { reason = fs.readFileSync(path.join(root, 'output', 'failure'), 'utf8').trim(); } catch (e) { /* none */ }
    if (!reason) reason = job.lastStderr;
    if (!reason) reason = `AlgorithmError: the entry exited with ${job.exitSignal ? 'signal ' + job.exitSignal : 'status ' + job.exitCode}`;
    return this.finish(job, 'Failed', reason.slice(0, 1024));
  }

  lines(job, stream, isErr) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', d => {
      const parts = (rest + d).split('\n');
      rest = parts.pop();
      for (const l of parts) this.line(job, l, isErr);
    });
    stream.on('end', () => { if (rest) this.line(job, rest, isErr); rest = ''; });
  }

  line(job, l, isErr) {
    if (l.endsWith('\r')) l = l.slice(0, -1);
    if (l === '') return; // CloudWatch keeps no empty events
    this.log(job, l);
    if (isErr && l.trim()) job.lastStderr = l.trim();
  }

  async download(uri, dir) {
    const s3 = this.opts.s3;
    const p = parseUri(uri);
    if (!p) throw new Error(`bad S3 URI ${uri}`);
    if (!s3) throw new Error('the stand-in has no S3 server (HPOLAB_STANDIN_S3_ENDPOINT)');
    const keys = await s3.list(p.bucket, p.key);
    let n = 0;
    for (const key of keys) {
      if (key.endsWith('/')) continue;
      let rel = key === p.key ? path.posix.basename(key) : key.slice(p.key.length).replace(/^\/+/, '');
      if (!safeRel(rel)) continue;
      const dest = path.join(dir, rel);
      mkdirs(path.dirname(dest));
      fs.writeFileSync(dest, await s3.get(p.bucket, key));
      n++;
    }
    return n;
  }

  // New and changed files of <root>/checkpoints to CheckpointConfig.S3Uri;
  // one sync at a time per job.
  sync(job) {
    const ck = job.input.CheckpointConfig;
    if (!ck || !job.root) return Promise.resolve();
    job.syncing = job.syncing.then(async () => {
      const p = parseUri(dirUri(ck.S3Uri));
      const base = path.join(job.root, 'checkpoints');
      for (const rel of walk(base)) {
        let st;
        try { st = fs.statSync(path.join(base, rel)); } catch (e) { continue; }
        const sig = `${st.size}:${st.mtimeMs}`;
        if (job.uploaded.get(rel) === sig) continue;
        await this.opts.s3.put(p.bucket, p.key + rel.split(path.sep).join('/'), fs.readFileSync(path.join(base, rel)));
        job.uploaded.set(rel, sig);
        job.checkpointUploads = (job.checkpointUploads || 0) + 1;
      }
    }).catch(e => { job.syncError = e.message; });
    return job.syncing;
  }

  async uploadModel(job) {
    const out = job.input.OutputDataConfig && job.input.OutputDataConfig.S3OutputPath;
    const dir = path.join(job.root, 'model');
    if (!out || walk(dir).length === 0) return;
    const tgz = path.join(job.root, 'model.tar.gz');
    await new Promise((resolve, reject) => {
      const t = spawn('tar', ['-czf', tgz, '-C', dir, '.'], { stdio: 'ignore' });
      t.on('error', reject);
      t.on('close', c => (c === 0 ? resolve() : reject(new Error(`tar exited with ${c}`))));
    });
    const p = parseUri(dirUri(out));
    await this.opts.s3.put(p.bucket, `${p.key}${job.name}/output/model.tar.gz`, fs.readFileSync(tgz));
  }

  // SIGTERM to the job's process group, SIGKILL after the grace period.
  terminate(job) {
    if (!job.proc || job.exitCode !== undefined) return;
    try { process.kill(-job.proc.pid, 'SIGTERM'); } catch (e) { /* gone */ }
    job.killTimer = setTimeout(() => {
      try { process.kill(-job.proc.pid, 'SIGKILL'); } catch (e) { /* gone */ }
    }, this.opts.graceMs);
  }

  stop(job) {
    job.stopRequested = true;
    job.status = 'Stopping';
    this.transition(job, 'Stopping', 'Stopping the training job');
    this.terminate(job);
  }

  finish(job, status, reason, secondary) {
    if (ENDED.has(job.status)) return;
    const now = Date.now() / 1000;
    job.status = status;
    if (reason) job.failureReason = reason;
    job.endTime = now;
    if (job.trainingStart) job.trainingSeconds = Math.max(1, Math.ceil(now - job.trainingStart));
    this.transition(job, secondary || status,
      status === 'Completed' ? 'Training job completed' : status === 'Stopped' ? 'Training job stopped' : reason);
    job.transitions[job.transitions.length - 1].EndTime = now;
  }

  describe(job) {
    const i = job.input;
    const d = {
      TrainingJobName: job.name, TrainingJobArn: job.arn,
      ModelArtifacts: { S3ModelArtifacts: `${dirUri(i.OutputDataConfig.S3OutputPath)}${job.name}/output/model.tar.gz` },
      TrainingJobStatus: job.status, SecondaryStatus: job.secondary,
      HyperParameters: i.HyperParameters || {},
      AlgorithmSpecification: Object.assign({ EnableSageMakerMetricsTimeSeries: false }, i.AlgorithmSpecification),
      RoleArn: i.RoleArn, OutputDataConfig: i.OutputDataConfig, ResourceConfig: i.ResourceConfig,
      StoppingCondition: i.StoppingCondition, CreationTime: job.creationTime,
      LastModifiedTime: job.lastModified, SecondaryStatusTransitions: job.transitions,
      EnableNetworkIsolation: false, EnableInterContainerTrafficEncryption: false, EnableManagedSpotTraining: false,
    };
    if (i.InputDataConfig) d.InputDataConfig = i.InputDataConfig;
    if (i.CheckpointConfig) d.CheckpointConfig = i.CheckpointConfig;
    if (i.Environment) d.Environment = i.Environment;
    if (job.failureReason) d.FailureReason = job.failureReason;
    if (job.trainingStart) d.TrainingStartTime = job.trainingStart;
    if (ENDED.has(job.status)) {
      d.TrainingEndTime = job.endTime;
      if (job.trainingSeconds) {
        d.TrainingTimeInSeconds = job.trainingSeconds;
        d.BillableTimeInSeconds = job.trainingSeconds;
      }
    }
    return d;
  }

  summary(job) {
    const s = { TrainingJobName: job.name, TrainingJobArn: job.arn, CreationTime: job.creationTime,
      TrainingJobStatus: job.status, SecondaryStatus: job.secondary, LastModifiedTime: job.lastModified };
    if (ENDED.has(job.status)) s.TrainingEndTime = job.endTime;
    return s;
  }
}

function dirUri(u) { return u.endsWith('/') ? u : u + '/'; }

module.exports = { Jobs, ENDED };
