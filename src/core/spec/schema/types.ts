/**
 * The subset of JSON Schema that pydantic emits for bioimageio.spec's model
 * classes, as src/core/spec/schema/check.ts reads it.
 */

/** One JSON Schema node. */
export interface IJsonSchema {
  $ref?: string;
  type?: string;
  properties?: Record<string, IJsonSchema>;
  required?: string[];
  additionalProperties?: boolean | IJsonSchema;
  items?: IJsonSchema | false;
  prefixItems?: IJsonSchema[];
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  anyOf?: IJsonSchema[];
  oneOf?: IJsonSchema[];
  allOf?: IJsonSchema[];
  discriminator?: {
    propertyName: string;
    mapping: Record<string, string | IJsonSchema>;
  };
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  format?: string;
  propertyNames?: IJsonSchema;
  /** Keywords the checker does not read (pydantic extras such as `ge`). */
  [other: string]: unknown;
}

/** The schemas of both format families, sharing one table of definitions. */
export interface IModelSchemas {
  defs: Record<string, IJsonSchema>;
  roots: Record<string, IJsonSchema>;
}
