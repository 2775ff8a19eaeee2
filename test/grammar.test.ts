/**
 * The TextMate injection grammar, tokenized by VS Code's own engine (vscode-textmate on
 * vscode-oniguruma): suppression comments and platform args get their scopes inside a Dockerfile
 * grammar, and nothing else does. The host grammar is a stand-in with the shape of VS Code's
 * (a `#` comment matched whole, quoted strings); VS Code's real one is used too when code-server
 * is installed (test/e2e/setup-editors.sh).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const root = join(__dirname, '..');
const INJECTION = join(root, 'syntaxes', 'xlint.injection.tmLanguage.json');
const VSCODE_DOCKER = join(root, '.tmp/editors/node_modules/code-server/lib/vscode/extensions/docker/syntaxes/docker.tmLanguage.json');

const STAND_IN = {
  scopeName: 'source.dockerfile',
  patterns: [
    { match: '^\\s*\\b(?i:(FROM|RUN|ARG|ENV|COPY))\\b', captures: { 1: { name: 'keyword.other.special-method.dockerfile' } } },
    { match: '^(\\s*)((#).*$\\n?)', captures: { 2: { name: 'comment.line.number-sign.dockerfile' } } },
    { begin: '"', end: '"', name: 'string.quoted.double.dockerfile' },
  ],
};

async function loadRegistry(host: object): Promise<textmate.Registry> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  return new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scopeName) => {
      if (scopeName === 'source.dockerfile') return textmate.parseRawGrammar(JSON.stringify(host), 'host.json');
      if (scopeName === 'xlint.injection') return textmate.parseRawGrammar(readFileSync(INJECTION, 'utf8'), INJECTION);
      return null;
    },
    getInjections: (scopeName) => (scopeName === 'source.dockerfile' ? ['xlint.injection'] : undefined),
  });
}

/** Each token of each line as `text => innermost scope`, for the tokens xlint scopes. */
function tokenize(grammar: textmate.IGrammar, text: string): string[] {
  const out: string[] = [];
  let state = textmate.INITIAL;
  for (const line of text.split('\n')) {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      const scopes = token.scopes.filter((s) => s.endsWith('.xlint'));
      if (scopes.length > 0 && line.slice(token.startIndex, token.endIndex).trim()) out.push(`${line.slice(token.startIndex, token.endIndex)} => ${scopes[scopes.length - 1]}`);
    }
    state = result.ruleStack;
  }
  return out;
}

function suite(name: string, host: () => object | null) {
  describe(name, () => {
    let grammar: textmate.IGrammar;
    beforeAll(async () => {
      const registry = await loadRegistry(host()!);
      grammar = (await registry.loadGrammar('source.dockerfile'))!;
    });

    it('scopes a suppression comment: keyword, modifier, rule ids', () => {
      expect(tokenize(grammar, '# xlint ignore=emulated-build-stage,hardcoded-arch')).toEqual([
        '# => punctuation.definition.comment.xlint',
        'xlint => keyword.control.xlint',
        'ignore => keyword.other.ignore.xlint',
        '= => keyword.operator.assignment.xlint',
        'emulated-build-stage => constant.language.rule-id.xlint',
        ', => punctuation.separator.comma.xlint',
        'hardcoded-arch => constant.language.rule-id.xlint',
      ]);
      expect(tokenize(grammar, '  #xlint global ignore = undeclared-platform-arg')).toContain('global => storage.modifier.global.xlint');
      expect(tokenize(grammar, '# xlint ignore=a b')).toContain('b => invalid.illegal.suppression.xlint');
    });

    it('leaves other comments alone', () => {
      expect(tokenize(grammar, '# build for $TARGETARCH: xlint ignores nothing here')).toEqual([]);
      expect(tokenize(grammar, '# hadolint ignore=DL3029')).toEqual([]);
    });

    it('scopes $TARGETARCH, ${BUILDPLATFORM} and ${TARGETOS:-linux}, in RUN lines and strings', () => {
      for (const line of ['FROM --platform=$BUILDPLATFORM golang AS build', 'from --platform=$BUILDPLATFORM golang']) {
        expect(tokenize(grammar, line)).toEqual(['$ => punctuation.definition.variable.xlint', 'BUILDPLATFORM => variable.language.platform-arg.xlint']);
      }
      expect(tokenize(grammar, 'RUN GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} go build "-ldflags=-X main.arch=$TARGETVARIANT"')).toEqual([
        '${ => punctuation.definition.variable.begin.xlint',
        'TARGETOS => variable.language.platform-arg.xlint',
        '${ => punctuation.definition.variable.begin.xlint',
        'TARGETARCH => variable.language.platform-arg.xlint',
        '$ => punctuation.definition.variable.xlint',
        'TARGETVARIANT => variable.language.platform-arg.xlint',
      ]);
    });

    it('does not scope other variables or longer names', () => {
      expect(tokenize(grammar, 'RUN echo $TARGETARCHIVE ${GOARCH} $HOME $BUILD')).toEqual([]);
    });
  });
}

describe('syntaxes/xlint.injection.tmLanguage.json', () => {
  it('is valid JSON injected into source.dockerfile', () => {
    const grammar = JSON.parse(readFileSync(INJECTION, 'utf8'));
    expect(grammar.scopeName).toBe('xlint.injection');
    expect(grammar.injectionSelector).toContain('source.dockerfile');
    const manifest = JSON.parse(readFileSync(join(root, 'client', 'package.json'), 'utf8'));
    expect(manifest.contributes.grammars).toContainEqual(expect.objectContaining({ scopeName: 'xlint.injection', injectTo: ['source.dockerfile'] }));
  });
});

suite('injected into a stand-in Dockerfile grammar', () => STAND_IN);
if (existsSync(VSCODE_DOCKER)) {
  suite("injected into VS Code's Dockerfile grammar", () => JSON.parse(readFileSync(VSCODE_DOCKER, 'utf8')));
} else {
  describe.skip("injected into VS Code's Dockerfile grammar (code-server not installed: test/e2e/setup-editors.sh)", () => {
    it('skipped', () => undefined);
  });
}
