import rule from '../../rules/redundant-target-platform';
import { df, ruleTester } from '../rule-tester';

ruleTester(rule, {
  valid: [
    'FROM alpine:3.20\nRUN true',
    'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go version',
    { name: 'suppressed by check=skip', code: '# check=skip=RedundantTargetPlatform\nFROM --platform=$TARGETPLATFORM alpine' },
    { name: 'suppressed by hadolint ignore', code: '# hadolint ignore=DL3065\nFROM --platform=$TARGETPLATFORM alpine' },
  ],
  invalid: [
    {
      code: 'FROM --platform=$TARGETPLATFORM alpine:3.20\nRUN true',
      errors: [{ messageId: 'redundant', line: 1, column: 6, endLine: 1, endColumn: 32, fix: 'safe' }],
      output: 'FROM alpine:3.20\nRUN true',
    },
    {
      name: 'braces, lower-case keyword, CRLF',
      code: 'from --platform=${TARGETPLATFORM} alpine AS base\r\nrun true\r\n',
      errors: [{ messageId: 'redundant', line: 1, column: 6, message: '${TARGETPLATFORM}' }],
      output: 'from alpine AS base\r\nrun true\r\n',
    },
    {
      name: 'flag alone on a continued line',
      code: df`
        FROM \\
          --platform=$TARGETPLATFORM \\
          alpine
      `,
      errors: [{ messageId: 'redundant', line: 2, column: 3 }],
      output: 'FROM \\\n  alpine\n',
    },
    {
      name: 'flag split by a continuation and a comment line (BuildKit skips it): removed, the comment kept inside the FROM',
      code: 'FROM --platform=$TARGET\\\n# note\nPLATFORM alpine\nRUN true\n',
      errors: [{ messageId: 'redundant', line: 1, column: 6, fix: 'safe' }],
      output: 'FROM \\\n# note\nalpine\nRUN true\n',
    },
  ],
});
