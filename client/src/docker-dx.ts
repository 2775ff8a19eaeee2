/**
 * Next to Docker DX (extension id `docker.docker`), which runs BuildKit's checks on Dockerfiles:
 * while it is installed and enabled (it activates with every Dockerfile, as xlint does) and
 * `xlint.deferToDockerDX` is on (the default), the settings xlint's server asks for carry
 * `deferTo: ["buildkit"]`, and the server turns off the rules that mirror a BuildKit check
 * (their metadata says which), so no finding is shown twice. Installing, enabling, disabling or
 * removing Docker DX re-lints.
 */
import * as vscode from 'vscode';
import { DidChangeConfigurationNotification, type LanguageClient, type Middleware } from 'vscode-languageclient/node';

export const DOCKER_DX = 'docker.docker';

export function dockerDXPresent(): boolean {
  return vscode.extensions.getExtension(DOCKER_DX) !== undefined;
}

/** The `xlint` section as the server gets it: with `deferTo` decided here, for the folder it was asked for. */
export function withDeferral(value: unknown, scopeUri: string | undefined, present: boolean): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const scope = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
  const defer = present && vscode.workspace.getConfiguration('xlint', scope).get<boolean>('deferToDockerDX', true);
  return { ...(value as Record<string, unknown>), deferTo: defer ? ['buildkit'] : [] };
}

export const deferralMiddleware: Middleware = {
  workspace: {
    configuration: async (params, token, next) => {
      const result = await next(params, token);
      if (!Array.isArray(result)) return result;
      const present = dockerDXPresent();
      return result.map((value, i) => (params.items[i]?.section === 'xlint' ? withDeferral(value, params.items[i].scopeUri, present) : value));
    },
  },
};

/** Says what it does, and re-lints when Docker DX comes or goes. */
export function watchDockerDX(client: LanguageClient, output: vscode.LogOutputChannel): vscode.Disposable {
  let present = dockerDXPresent();
  const say = () =>
    output.info(
      present
        ? `Docker DX (${DOCKER_DX}) is installed: the findings of xlint's rules that mirror a BuildKit check are left to it (xlint.deferToDockerDX)`
        : `Docker DX (${DOCKER_DX}) is not installed: xlint reports the findings of its rules that mirror BuildKit checks too`,
    );
  say();
  return vscode.extensions.onDidChange(() => {
    if (dockerDXPresent() === present) return;
    present = !present;
    say();
    // The server asks for every document's settings again (workspace/configuration).
    void client.sendNotification(DidChangeConfigurationNotification.type, { settings: null }).catch(() => undefined);
  });
}
