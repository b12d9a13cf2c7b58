import { describe, expect, it } from 'vitest';
import { ciMetadata, readGit } from '../../../src/testing/index.js';

const noGit = () => ({ branch: '', commit: '' });
const git = () => ({ branch: 'from-git', commit: 'gitsha' });

describe('ciMetadata', () => {
  it('reads GitHub Actions, preferring the head branch of a pull request', () => {
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_REF_NAME: 'main',
      GITHUB_SHA: 'a1b2',
      GITHUB_WORKFLOW: 'CI',
      RUNNER_NAME: 'GitHub Actions 3',
    };
    expect(ciMetadata(env, git)).toEqual({
      branch: 'main',
      commit: 'a1b2',
      workflow: 'CI',
      runner: 'GitHub Actions 3',
    });
    expect(ciMetadata({ ...env, GITHUB_REF_NAME: '12/merge', GITHUB_HEAD_REF: 'feature/x' }, git).branch).toBe(
      'feature/x',
    );
  });

  it('reads GitLab CI', () => {
    const env = {
      GITLAB_CI: 'true',
      CI: 'true',
      CI_COMMIT_REF_NAME: 'feature/y',
      CI_COMMIT_SHA: 'c3d4',
      CI_JOB_NAME: 'unit-tests',
      CI_PIPELINE_SOURCE: 'push',
      CI_RUNNER_DESCRIPTION: 'shared-runner',
    };
    expect(ciMetadata(env, git)).toEqual({
      branch: 'feature/y',
      commit: 'c3d4',
      workflow: 'unit-tests',
      runner: 'shared-runner',
    });
    const { CI_JOB_NAME: _, ...withoutJob } = env;
    expect(ciMetadata(withoutJob, git).workflow).toBe('push');
  });

  it('reads a generic CI and fills what it lacks from git', () => {
    expect(ciMetadata({ CI: 'true', BRANCH_NAME: 'release', JOB_NAME: 'nightly', NODE_NAME: 'agent-2' }, git)).toEqual({
      branch: 'release',
      commit: 'gitsha',
      workflow: 'nightly',
      runner: 'agent-2',
    });
  });

  it('falls back to git outside CI, and VIGIL_* overrides everything', () => {
    const local = ciMetadata({}, git);
    expect(local).toMatchObject({ branch: 'from-git', commit: 'gitsha', workflow: 'local' });
    expect(local.runner).not.toBe('');
    const overridden = ciMetadata(
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_REF_NAME: 'main',
        VIGIL_BRANCH: 'b',
        VIGIL_COMMIT: 'c',
        VIGIL_WORKFLOW: 'w',
        VIGIL_RUNNER: 'r',
      },
      () => {
        throw new Error('git must not be asked when the environment has everything');
      },
    );
    expect(overridden).toEqual({ branch: 'b', commit: 'c', workflow: 'w', runner: 'r' });
  });

  it('leaves fields empty when git has nothing', () => {
    expect(ciMetadata({ CI: 'false' }, noGit)).toMatchObject({ branch: '', commit: '', workflow: 'local' });
  });

  it('reads this repository with git, within its time bound', () => {
    const { commit } = readGit();
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
  });
});
