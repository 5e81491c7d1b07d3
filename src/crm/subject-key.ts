/**
 * A subject reduced to what smart matching compares: reply and forward prefixes in the
 * languages Outlook writes them (RE/FW/FWD, AW/WG, SV/VS, TR, RV, ODP/PD…) and tracking tokens
 * removed, whitespace collapsed, case folded.
 */
import { stripTokens, type TokenFormat } from './tracking-token.ts';

const prefixes = /^\s*(?:re|fw|fwd|aw|wg|sv|vs|tr|rv|odp|pd|antw|doorst|enc|res)\s*(?:\[\d+\])?\s*[:：]\s*/i;

export function subjectKey(subject: string, format?: TokenFormat): string {
  let s = format === undefined ? subject : stripTokens(subject, format);
  for (let i = 0; i < 20; i++) {
    const next = s.replace(prefixes, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
}
