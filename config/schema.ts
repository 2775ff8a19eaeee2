/** The JSON schema of `.xlintrc.json`, built from the rule catalog so unknown rule ids are caught. */
import type { Rule } from '../core/rule';

const PLATFORM = { type: 'string', pattern: '^[a-z0-9_.-]+/[a-z0-9_.-]+(/[a-z0-9_.-]+)?$' };
const LEVEL = { enum: ['error', 'warning', 'info', 'off'] };

export function configSchema(rules: readonly Rule[]): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/xlint-dev/xlint/blob/main/schema/xlintrc.schema.json',
    title: 'xlint configuration (.xlintrc.json)',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      platforms: { type: 'array', items: PLATFORM, minItems: 1, description: 'Default target platforms, e.g. ["linux/amd64", "linux/arm64"].' },
      buildPlatform: { ...PLATFORM, description: "The builder's platform (default: the machine xlint runs on)." },
      // minLength: an editor validating against the schema flags `""` as the CLI does (an empty pattern matches nothing).
      ignore: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Globs of paths not to lint, relative to this file.' },
      checkImages: {
        description:
          'Ask the registries whether every pulled image has the platforms the build pulls it for (rule base-image-platform; uses the network, like --check-images). true, or an object.',
        anyOf: [
          { type: 'boolean' },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              enabled: { type: 'boolean', description: 'Check images (default true when the object is given).' },
              tagTtlMinutes: { type: 'number', minimum: 0, description: 'How long a tag\'s answer is kept in the disk cache (default 1440: a day). Digests are kept for good.' },
              failOnRegistryError: { type: 'boolean', description: 'Exit 3 when a registry cannot be asked (default false: a warning, and the lint goes on).' },
            },
          },
        ],
      },
      rules: {
        type: 'object',
        description: 'Severity per rule ("off" disables it), or [severity, options].',
        propertyNames: { enum: rules.map((r) => r.meta.id) },
        properties: Object.fromEntries(
          rules.map((r) => [
            r.meta.id,
            {
              description: r.meta.description,
              anyOf: [LEVEL, { type: 'array', minItems: 1, maxItems: 2, items: [LEVEL, r.meta.options ?? { type: 'object', additionalProperties: false }] }],
            },
          ]),
        ),
      },
    },
  };
}
