import rule from '../../rules/undefined-arg-in-from';
import { df, ruleTester } from '../rule-tester';

ruleTester(rule, {
  valid: [
    'FROM --platform=$BUILDPLATFORM golang:1.22',
    { name: 'a global ARG', code: 'ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION}' },
    { name: 'a global ARG without default', code: 'ARG BASE\nFROM $BASE' },
    { name: 'automatic args in FROM (examples/per-arch-stages)', code: 'FROM alpine AS base_amd64\nFROM alpine AS base_arm64\nFROM base_${TARGETARCH}' },
    { name: 'stage-scoped uses are not FROM uses', code: 'FROM alpine\nRUN echo $UNDECLARED' },
    { name: 'suppressed by check=skip', code: '# check=skip=UndefinedArgInFrom\nFROM $BASE' },
    {
      name: '$BUILD\\ continued past a comment line onto PLATFORM: BuildKit skips the comment and reads $BUILDPLATFORM',
      code: 'FROM --platform=$BUILD\\\n# a comment\nPLATFORM golang AS build\nRUN go version\n',
    },
    { name: '... and past an empty line', code: 'FROM --platform=$BUILD\\\n\nPLATFORM golang AS build\nRUN go version\n' },
  ],
  invalid: [
    {
      name: 'a typo of BUILDPLATFORM: did you mean, unsafe fix',
      code: df`
        FROM --platform=$BULIDPLATFORM golang:1.22 AS build
        RUN go version
      `,
      errors: [
        {
          messageId: 'suggest',
          line: 1,
          column: 17,
          endLine: 1,
          endColumn: 31,
          message: '$BULIDPLATFORM in FROM is empty: BULIDPLATFORM is neither a global ARG (declared before the first FROM) nor an automatic platform arg (did you mean BUILDPLATFORM?)',
          fix: 'unsafe',
        },
      ],
      unsafeOutput: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go version\n',
    },
    {
      name: 'a typo of a global ARG in braces, lower case, CRLF',
      code: 'arg GO_VERSION=1.22\r\nfrom golang:${GO_VERSON}-alpine as build\r\n',
      errors: [{ messageId: 'suggest', line: 2, column: 13, endColumn: 25, message: 'did you mean GO_VERSION?', fix: 'unsafe' }],
      unsafeOutput: 'arg GO_VERSION=1.22\r\nfrom golang:${GO_VERSION}-alpine as build\r\n',
    },
    {
      name: 'case aside: $targetplatform',
      code: 'FROM --platform=${targetplatform:-linux/amd64} alpine',
      errors: [{ messageId: 'suggest', line: 1, column: 17, message: 'did you mean TARGETPLATFORM?' }],
      unsafeOutput: 'FROM --platform=${TARGETPLATFORM:-linux/amd64} alpine',
    },
    {
      name: 'a typo split by a continuation: the edit covers the whole name, continuation included',
      code: 'FROM --platform=$BULIDPLATFOR\\\nM alpine AS build\nRUN true\n',
      errors: [{ messageId: 'suggest', line: 1, column: 17, endLine: 2, endColumn: 2, message: 'did you mean BUILDPLATFORM?', fix: 'unsafe' }],
      unsafeOutput: 'FROM --platform=$BUILDPLATFORM alpine AS build\nRUN true\n',
    },
    {
      name: 'a continuation and a comment line between $ and the name: the edit covers the name only (fixes never touch comments)',
      code: 'FROM --platform=$\\\n# a comment\nBULIDPLATFORM alpine AS build\nRUN true\n',
      errors: [{ messageId: 'suggest', line: 1, column: 17, fix: 'unsafe' }],
      unsafeOutput: 'FROM --platform=$\\\n# a comment\nBUILDPLATFORM alpine AS build\nRUN true\n',
    },
    {
      name: 'a comment line inside the name: suggested, no fix',
      code: 'FROM --platform=$BULID\\\n# c\nPLATFORM alpine AS build\nRUN true\n',
      errors: [{ messageId: 'suggest', line: 1, column: 17, message: 'did you mean BUILDPLATFORM?', fix: null }],
    },
    {
      name: 'a global ARG whose name no $NAME can spell (RE{O) is never suggested: no fix that grows on every pass',
      code: 'ARG RE{O=mcr.microsoft.com/dotnet/sdk\nFROM $REPO:8.0\nRUN true\n',
      errors: [{ messageId: 'undefined', line: 2, column: 6, fix: null }],
    },
    {
      name: 'no close name: no fix',
      code: 'FROM ${BASE_IMAGE}\nRUN true',
      errors: [{ messageId: 'undefined', line: 1, column: 6, endColumn: 19, fix: null }],
    },
    {
      name: 'an ARG declared in a stage is not global',
      code: 'FROM alpine AS a\nARG VARIANT=slim\nFROM debian:bookworm-$VARIANT',
      errors: [{ messageId: 'undefined', line: 3, column: 22 }],
    },
    {
      name: 'every use is reported; backtick escape',
      code: '# escape=`\nARG TAG=1\nFROM --platform=$BUILDPLATFROM `\n    $REGISTRY/app:$TAGG AS build\n',
      errors: [
        { messageId: 'suggest', line: 3, column: 17, message: 'BUILDPLATFORM' },
        { messageId: 'undefined', line: 4, column: 5 },
        { messageId: 'suggest', line: 4, column: 19, message: 'did you mean TAG?' },
      ],
      unsafeOutput: '# escape=`\nARG TAG=1\nFROM --platform=$BUILDPLATFORM `\n    $REGISTRY/app:$TAG AS build\n',
    },
  ],
});
