import { VigilError } from '../metrics/errors.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * One `name/value` pair of a Pushgateway grouping key, as a URL path piece.
 *
 * A value with a `/` cannot be a path segment, so it goes as `name@base64/<url-safe
 * base64, no padding>`; an empty value as `name@base64/=` (an empty segment would vanish).
 * `.` and `..` also go as base64: URL parsers (fetch's included) remove such segments
 * before the request is sent. Anything else is percent-encoded UTF-8.
 *
 * @example
 * groupingSegment('branch', 'feature/x'); // 'branch@base64/ZmVhdHVyZS94'
 * groupingSegment('env', '');             // 'env@base64/='
 * groupingSegment('city', 'Zürich');      // 'city/Z%C3%BCrich'
 */
export function groupingSegment(name: string, value: string): string {
  if (value === '') return `${name}@base64/=`;
  if (value.includes('/') || value === '.' || value === '..') {
    return `${name}@base64/${Buffer.from(value, 'utf8').toString('base64url')}`;
  }
  return `${name}/${encodeURIComponent(value)}`;
}

/**
 * The path of a grouping key below the gateway's URL: `/metrics/job/<job>` followed by
 * the grouping labels sorted by name (one group, one URL). Checks the job and the label
 * names first; a bad one is a `VIGIL_ERR_PUSH_OPTION` and nothing is sent.
 *
 * @example
 * groupingPath('nightly', { branch: 'feature/x', runner: 'ci-1' });
 * // '/metrics/job/nightly/branch@base64/ZmVhdHVyZS94/runner/ci-1'
 */
export function groupingPath(job: string, groupings: Readonly<Record<string, string>> = {}): string {
  if (typeof job !== 'string' || job === '') {
    throw new VigilError(
      'VIGIL_ERR_PUSH_OPTION',
      `job must be a non-empty string, not ${JSON.stringify(job)}: the Pushgateway groups every push by job.`,
    );
  }
  if (groupings === null || typeof groupings !== 'object') {
    throw new VigilError('VIGIL_ERR_PUSH_OPTION', 'groupings must be an object of label names to string values.');
  }
  const parts = [groupingSegment('job', job)];
  for (const name of Object.keys(groupings).sort()) {
    checkGroupingName(name);
    const value = groupings[name];
    if (typeof value !== 'string') {
      throw new VigilError(
        'VIGIL_ERR_PUSH_OPTION',
        `grouping label "${name}" must have a string value, not ${typeof value}; convert it first.`,
      );
    }
    parts.push(groupingSegment(name, value));
  }
  return `/metrics/${parts.join('/')}`;
}

function checkGroupingName(name: string): void {
  if (!LABEL_NAME.test(name)) {
    throw new VigilError(
      'VIGIL_ERR_PUSH_OPTION',
      `grouping label name ${JSON.stringify(name)} is invalid: use letters, digits and '_', not starting with a digit.`,
    );
  }
  if (name.startsWith('__')) {
    throw new VigilError(
      'VIGIL_ERR_PUSH_OPTION',
      `grouping label name "${name}" starts with "__", which Prometheus reserves; rename it.`,
    );
  }
  if (name === 'job') {
    throw new VigilError(
      'VIGIL_ERR_PUSH_OPTION',
      'grouping label "job" is set by the `job` option; do not repeat it in groupings.',
    );
  }
}
