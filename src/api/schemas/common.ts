/** Schemas shared by every route: ids, errors, batch results. */
import { Type, type TSchema } from 'typebox';

/**
 * A value or null. Null comes first: the API validates with coerceTypes, and Ajv tries anyOf
 * branches in order, so a string branch tried first would turn null into "" and store that.
 * With null first, null stays null (and an empty string becomes null, which means "none" too).
 */
export const Nullable = <T extends TSchema>(schema: T, options: { description?: string } = {}) => Type.Union([Type.Null(), schema], options);

export const IdParams = Type.Object({ id: Type.String({ description: 'Record id (UUID)' }) });

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable error code to branch on' }),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'Error' },
);

export const errorResponses = {
  400: Type.Ref('Error'),
  401: Type.Ref('Error'),
  403: Type.Ref('Error'),
  404: Type.Ref('Error'),
  409: Type.Ref('Error'),
};

export const IdList = Type.Object({ ids: Type.Array(Type.String(), { minItems: 1, maxItems: 500 }) }, { additionalProperties: false });

export const Timestamp = Type.String({ description: 'ISO 8601 date-time (UTC)' });
