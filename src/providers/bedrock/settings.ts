import type { AwsCredentials } from '../../upstream/sigv4.js';
import type { ProviderConfig } from '../types.js';

export type Env = Record<string, string | undefined>;

export interface BedrockSettings {
  region: string;
  credentials: AwsCredentials;
}

export interface ConfigProblem {
  field: string;
  message: string;
}

/** The region: the config's, else AWS_REGION, else AWS_DEFAULT_REGION (as the AWS SDKs do). */
export function resolveRegion(config: ProviderConfig, env: Env): string | undefined {
  return present(config.region) ?? present(env.AWS_REGION) ?? present(env.AWS_DEFAULT_REGION);
}

/** The bedrock-runtime endpoint of the config's region (`https://bedrock-runtime.{region}.amazonaws.com`). */
export function defaultBedrockBaseUrl(config: ProviderConfig, env: Env = process.env): string {
  return `https://bedrock-runtime.${resolveRegion(config, env) ?? 'us-east-1'}.amazonaws.com`;
}

/**
 * Resolves region and static credentials. Keys come from the config as a pair (with its optional
 * session token), else from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN. Profiles,
 * SSO and instance roles are not read. Empty strings (an unset `${VAR}`) count as missing.
 */
export function resolveBedrockSettings(config: ProviderConfig, env: Env): { settings?: BedrockSettings; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const region = resolveRegion(config, env);
  if (!region) problems.push({ field: 'region', message: 'bedrock needs a region (set region, or AWS_REGION / AWS_DEFAULT_REGION)' });

  let credentials: AwsCredentials | undefined;
  const configKey = present(config.accessKeyId);
  const configSecret = present(config.secretAccessKey);
  if (configKey || configSecret) {
    if (!configKey) problems.push({ field: 'access_key_id', message: 'secret_access_key is set but access_key_id is missing' });
    if (!configSecret) problems.push({ field: 'secret_access_key', message: 'access_key_id is set but secret_access_key is missing' });
    if (configKey && configSecret) credentials = withToken({ accessKeyId: configKey, secretAccessKey: configSecret }, present(config.sessionToken));
  } else {
    const envKey = present(env.AWS_ACCESS_KEY_ID);
    const envSecret = present(env.AWS_SECRET_ACCESS_KEY);
    if (envKey && envSecret) credentials = withToken({ accessKeyId: envKey, secretAccessKey: envSecret }, present(env.AWS_SESSION_TOKEN));
    else {
      problems.push({
        field: 'access_key_id',
        message: 'bedrock needs AWS credentials (set access_key_id and secret_access_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
      });
    }
  }
  return region && credentials && problems.length === 0 ? { settings: { region, credentials }, problems } : { problems };
}

function withToken(credentials: AwsCredentials, sessionToken: string | undefined): AwsCredentials {
  return sessionToken ? { ...credentials, sessionToken } : credentials;
}

function present(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
