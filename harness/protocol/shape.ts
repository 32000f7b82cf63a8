// The field check behind parseEvent (events.ts, the one parser of the events port): each event
// kind's fields have a declared shape, and a line whose field has the wrong type is a
// ProtocolError naming the event and the field, not a value that goes wrong later.
import { ProtocolError } from '../errors.js';

/** What a field must be: `?` marks one that may be absent. */
export type FieldKind = 'int' | 'num' | 'str' | 'bool' | 'strs' | 'int?' | 'num?' | 'str?' | 'bool?' | 'strs?';
export type Shape = Readonly<Record<string, FieldKind>>;


function fits(v: unknown, kind: string): boolean {
  switch (kind) {
    case 'int':
      return Number.isInteger(v);
    case 'num':
      return typeof v === 'number' && Number.isFinite(v);
    case 'str':
      return typeof v === 'string';
    case 'bool':
      return typeof v === 'boolean';
    default:
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
  }
}

export function checkShape(raw: Record<string, unknown>, shape: Shape | undefined): void {
  for (const [name, kind] of Object.entries(shape ?? {})) {
    const optional = kind.endsWith('?');
    if (raw[name] === undefined && optional) continue;
    if (!fits(raw[name], kind.replace('?', ''))) {
      throw new ProtocolError(`${String(raw.ev)} event: field ${name} should be ${kind.replace('?', '')}, got ${JSON.stringify(raw[name])}`);
    }
  }
}

