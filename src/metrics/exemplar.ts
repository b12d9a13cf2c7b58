import { VigilError } from './errors.js';
import { keyOf } from './keys.js';
import type { LabelValue } from './metric.js';
import { checkLabelName } from './names.js';
import { escapeLabelValue } from './text.js';

/** Labels of an exemplar as given by a caller, e.g. `{ trace_id: '4bf9...' }`. */
export type ExemplarLabels = Readonly<Record<string, LabelValue>>;

/** A stored exemplar: its rendered labels, the observed value and when (ms since epoch). */
export interface Exemplar {
  readonly labelText: string;
  readonly value: number;
  readonly timestampMs: number;
}

/** OpenMetrics caps the combined length of exemplar label names and values. */
export const MAX_EXEMPLAR_RUNES = 128;

export function makeExemplar(labels: ExemplarLabels, value: number, metric: string): Exemplar {
  let text = '';
  let runes = 0;
  for (const name in labels) {
    try {
      checkLabelName(name, metric);
    } catch (error) {
      // One code for every exemplar mistake, as documented; the cause keeps the detail.
      throw new VigilError('VIGIL_ERR_EXEMPLAR', `exemplar of metric "${metric}": ${(error as Error).message}`, {
        cause: error,
      });
    }
    const v = keyOf(labels[name]);
    if (v === undefined) {
      throw new VigilError(
        'VIGIL_ERR_EXEMPLAR',
        `exemplar label "${name}" of metric "${metric}" must be a string, number or boolean.`,
      );
    }
    runes += countRunes(name) + countRunes(v);
    if (text !== '') text += ',';
    text += `${name}="${escapeLabelValue(v)}"`;
  }
  if (runes > MAX_EXEMPLAR_RUNES) {
    throw new VigilError(
      'VIGIL_ERR_EXEMPLAR',
      `exemplar labels of metric "${metric}" are ${runes} characters long; OpenMetrics allows at most ${MAX_EXEMPLAR_RUNES} for names and values together. Keep only ids such as trace_id and span_id.`,
    );
  }
  return { labelText: text, value, timestampMs: Date.now() };
}

function countRunes(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
