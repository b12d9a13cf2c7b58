import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';

/** Where a run happened: the labels of `vigil_test_run_info` (and branch/runner of the grouping key). */
export interface RunMetadata {
  branch: string;
  commit: string;
  workflow: string;
  runner: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the branch and commit from git; any failure gives empty strings. */
export type GitReader = () => { branch: string; commit: string };

const GIT_TIMEOUT_MS = 2_000;

function git(args: string[]): string {
  try {
    return execFileSync('git', args, {
      encoding: 'utf8',
      timeout: GIT_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

/** `git rev-parse`, bounded by a 2 s timeout; a detached HEAD gives branch ''. */
export const readGit: GitReader = () => {
  const branch = git(['rev-parse', '--abbrev-ref', 'HEAD']);
  return { branch: branch === 'HEAD' ? '' : branch, commit: git(['rev-parse', 'HEAD']) };
};

function first(env: Env, ...names: string[]): string {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return '';
}

/**
 * CI metadata from the environment: GitHub Actions, GitLab CI, a generic CI (`CI` set),
 * else git itself. `VIGIL_BRANCH`, `VIGIL_COMMIT`, `VIGIL_WORKFLOW` and `VIGIL_RUNNER`
 * override whatever was detected. Git is asked only for what the environment left empty.
 */
export function ciMetadata(env: Env = process.env, readGitInfo: GitReader = readGit): RunMetadata {
  let meta: RunMetadata;
  if (env.GITHUB_ACTIONS === 'true') {
    meta = {
      // On pull requests GITHUB_REF_NAME is `123/merge`; the head branch is what people look for.
      branch: first(env, 'GITHUB_HEAD_REF', 'GITHUB_REF_NAME'),
      commit: first(env, 'GITHUB_SHA'),
      workflow: first(env, 'GITHUB_WORKFLOW'),
      runner: first(env, 'RUNNER_NAME'),
    };
  } else if (env.GITLAB_CI === 'true') {
    meta = {
      branch: first(env, 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', 'CI_COMMIT_REF_NAME'),
      commit: first(env, 'CI_COMMIT_SHA'),
      workflow: first(env, 'CI_JOB_NAME', 'CI_PIPELINE_SOURCE'),
      runner: first(env, 'CI_RUNNER_DESCRIPTION', 'CI_RUNNER_ID'),
    };
  } else if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0') {
    meta = {
      branch: first(env, 'BRANCH_NAME', 'GIT_BRANCH', 'CI_BRANCH', 'BRANCH'),
      commit: first(env, 'GIT_COMMIT', 'CI_COMMIT', 'COMMIT_SHA', 'CI_COMMIT_ID'),
      workflow: first(env, 'JOB_NAME', 'CI_JOB_NAME') || 'ci',
      runner: first(env, 'NODE_NAME', 'CI_RUNNER', 'RUNNER_NAME'),
    };
  } else {
    meta = { branch: '', commit: '', workflow: 'local', runner: '' };
  }
  meta = {
    branch: first(env, 'VIGIL_BRANCH') || meta.branch,
    commit: first(env, 'VIGIL_COMMIT') || meta.commit,
    workflow: first(env, 'VIGIL_WORKFLOW') || meta.workflow,
    runner: first(env, 'VIGIL_RUNNER') || meta.runner || safeHostname(),
  };
  if (meta.branch === '' || meta.commit === '') {
    const fromGit = readGitInfo();
    meta.branch ||= fromGit.branch;
    meta.commit ||= fromGit.commit;
  }
  return meta;
}

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return '';
  }
}
